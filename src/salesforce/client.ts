// A small Salesforce REST client: the token grant and a few reads. It returns every answer as
// it came (status, parsed body, API usage) and leaves judging it to the caller.

import {
  InvalidInstanceUrlError,
  InvalidObjectNameError,
  SalesforceClientStateError,
  SalesforceResponseTooLargeError,
  SalesforceTimeoutError,
  SalesforceUnreachableError,
  type UnreachableReason,
} from "./errors.ts";
import { validateInstanceUrl } from "./instance-url.ts";

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

export interface SalesforceClientOptions {
  instanceUrl: string;
  allowInsecureLoopback?: boolean;
  /** Per request, from sending until the last byte of the body. */
  timeoutMs?: number;
  maxBodyBytes?: number;
  fetch?: typeof fetch;
}

export type ResponseBody =
  | { kind: "empty" }
  | { kind: "json"; value: unknown }
  /** Declared as JSON but unreadable; the text is dropped because it may hold a token. */
  | { kind: "invalid-json" }
  | { kind: "text"; text: string };

export interface SalesforceResponse {
  method: "GET" | "POST";
  /** The path requested, without the query. */
  path: string;
  status: number;
  contentType: string | null;
  /** The Location header of a redirect, which is never followed. */
  location: string | null;
  /** The raw Sforce-Limit-Info header, e.g. "api-usage=25/15000". */
  limitInfo: string | null;
  body: ResponseBody;
}

const OBJECT_NAME = /^[A-Za-z][A-Za-z0-9_]{0,79}$/;
const API_VERSION = /^\d{2,3}\.\d$/;

export class SalesforceClient {
  readonly instanceUrl: string;
  readonly host: string;
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  readonly #fetch: typeof fetch;
  #accessToken: string | null = null;
  #apiVersion: string | null = null;

  constructor(options: SalesforceClientOptions) {
    const verdict = validateInstanceUrl(options.instanceUrl, {
      allowInsecureLoopback: options.allowInsecureLoopback ?? false,
    });
    if (!verdict.ok) throw new InvalidInstanceUrlError(verdict.message);
    this.instanceUrl = verdict.url;
    this.host = new URL(verdict.url).host;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.#fetch = options.fetch ?? fetch;
  }

  get apiVersion(): string | null {
    return this.#apiVersion;
  }

  /** Sets the version data calls use, e.g. "67.0" (pick it with `newestApiVersion`). */
  useApiVersion(version: string): void {
    if (!API_VERSION.test(version)) {
      throw new SalesforceClientStateError(`not an API version: ${JSON.stringify(version)}`);
    }
    this.#apiVersion = version;
  }

  /** Sets the bearer token for data calls; `requestToken` does this itself on success. */
  useAccessToken(token: string): void {
    this.#accessToken = token;
  }

  /** Lists the API versions the org offers. Needs no token, so it is a cheap probe. */
  getVersions(): Promise<SalesforceResponse> {
    return this.#send("GET", "/services/data/");
  }

  /**
   * Runs the client credentials grant. On a 200 with an access token, later data calls use it.
   * Credentials go in a form body, the one encoding Salesforce accepts for this grant.
   */
  async requestToken(clientId: string, clientSecret: string): Promise<SalesforceResponse> {
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      client_id: clientId,
      client_secret: clientSecret,
    });
    const response = await this.#send("POST", "/services/oauth2/token", {
      body: form.toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });

    const token = readAccessToken(response);
    if (token) this.#accessToken = token;
    return response;
  }

  /** Describes an sObject: its fields and the run-as user's object-level permissions. */
  describe(objectName: string): Promise<SalesforceResponse> {
    const name = checkObjectName(objectName);
    return this.#send("GET", `${this.#dataPath()}/sobjects/${name}/describe`, { auth: true });
  }

  /** Counts the records of an sObject the run-as user can see: `SELECT COUNT() FROM X`. */
  count(objectName: string): Promise<SalesforceResponse> {
    const name = checkObjectName(objectName);
    const query = new URLSearchParams({ q: `SELECT COUNT() FROM ${name}` });
    return this.#send("GET", `${this.#dataPath()}/query`, { auth: true, query: query.toString() });
  }

  #dataPath(): string {
    if (!this.#apiVersion) {
      throw new SalesforceClientStateError("no API version chosen; call useApiVersion first");
    }
    return `/services/data/v${this.#apiVersion}`;
  }

  async #send(
    method: "GET" | "POST",
    path: string,
    extra: { body?: string; headers?: Record<string, string>; auth?: boolean; query?: string } = {},
  ): Promise<SalesforceResponse> {
    const headers: Record<string, string> = { accept: "application/json", ...extra.headers };
    if (extra.auth) {
      if (!this.#accessToken) {
        throw new SalesforceClientStateError("no access token; call requestToken first");
      }
      headers.authorization = `Bearer ${this.#accessToken}`;
    }
    const url = `${this.instanceUrl}${path}${extra.query ? `?${extra.query}` : ""}`;

    // One signal covers sending and reading, so a body that trickles forever also times out.
    const signal = AbortSignal.timeout(this.timeoutMs);
    let response: Response;
    try {
      response = await this.#fetch(url, {
        method,
        headers,
        body: extra.body ?? null,
        redirect: "manual",
        signal,
      });
    } catch (error) {
      throw this.#transportError(error);
    }

    const contentType = response.headers.get("content-type");
    let text: string;
    try {
      text = await readCapped(response, this.maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        throw new SalesforceResponseTooLargeError(this.host, response.status, this.maxBodyBytes);
      }
      throw this.#transportError(error);
    }

    return {
      method,
      path,
      status: response.status,
      contentType,
      location: response.headers.get("location"),
      limitInfo: response.headers.get("sforce-limit-info"),
      body: parseBody(text, contentType),
    };
  }

  #transportError(error: unknown): Error {
    if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
      return new SalesforceTimeoutError(this.host, this.timeoutMs);
    }
    return new SalesforceUnreachableError(this.host, unreachableReason(error), error);
  }
}

/** The access token of a successful token answer, or null. */
export function readAccessToken(response: SalesforceResponse): string | null {
  if (response.status !== 200 || response.body.kind !== "json") return null;
  const value = response.body.value;
  if (typeof value !== "object" || value === null) return null;
  const token = (value as Record<string, unknown>).access_token;
  return typeof token === "string" && token !== "" ? token : null;
}

/** The newest version in a `GET /services/data/` answer, e.g. "67.0", or null if none. */
export function newestApiVersion(body: unknown): { version: string; label: string } | null {
  if (!Array.isArray(body)) return null;
  let newest: { version: string; label: string } | null = null;
  for (const entry of body) {
    if (typeof entry !== "object" || entry === null) continue;
    const { version, label } = entry as Record<string, unknown>;
    if (typeof version !== "string" || !API_VERSION.test(version)) continue;
    if (!newest || Number(version) > Number(newest.version)) {
      newest = { version, label: typeof label === "string" ? label : "" };
    }
  }
  return newest;
}

function checkObjectName(name: string): string {
  if (!OBJECT_NAME.test(name)) throw new InvalidObjectNameError(name);
  return name;
}

class BodyTooLarge extends Error {}

// Reads at most `limit` bytes; past that the stream is cancelled so the socket is let go.
async function readCapped(response: Response, limit: number): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw new BodyTooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function parseBody(text: string, contentType: string | null): ResponseBody {
  if (text.trim() === "") return { kind: "empty" };
  if (!contentType || !/[/+]json\b/i.test(contentType)) return { kind: "text", text };
  try {
    return { kind: "json", value: JSON.parse(text) };
  } catch {
    return { kind: "invalid-json" };
  }
}

function unreachableReason(error: unknown): UnreachableReason {
  const cause =
    error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === "string" ? cause.code : "";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return "dns";
  if (code === "ECONNREFUSED") return "refused";
  if (code === "ECONNRESET" || code === "UND_ERR_SOCKET" || code === "EPIPE") return "reset";
  if (/CERT|SSL|TLS/i.test(code)) return "tls";
  return "other";
}
