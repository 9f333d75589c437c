// A stand-in for the console's runtime routes, on node:http and 127.0.0.1, so the runtime client
// and the `run` command can be tested before the real routes exist. It keeps no data on disk.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** How the stub answers every request until told otherwise. */
export type StubMode =
  | { kind: "normal" }
  | { kind: "server-error" }
  | { kind: "rate-limited"; retryAfterSeconds: number }
  | { kind: "hang" };

export interface StubRequest {
  path: string;
  /** The `X-Feature` header, when sent. */
  feature: string | undefined;
  /** Whether the bearer token matched a known, unrevoked runtime token. */
  authorized: boolean;
}

interface StubAnswer {
  status: number;
  body: unknown;
}

export interface StubRuntimeApiOptions {
  /** Secrets by environment name, e.g. `{ Production: { SF_CLIENT_ID: "..." } }`. */
  environments: Record<string, Record<string, string>>;
  /** Runtime tokens and the environment each one reads. */
  tokens: Record<string, string>;
}

export interface StubRuntimeApi {
  /** Base URL of the stub console, `http://127.0.0.1:PORT`. */
  url: string;
  /** Every request received, in order. */
  requests: StubRequest[];
  setMode(mode: StubMode): void;
  setSecret(environment: string, name: string, value: string): void;
  revokeToken(token: string): void;
  /** Stops listening and drops open connections; later requests are refused by the system. */
  close(): Promise<void>;
}

export async function startStubRuntimeApi(options: StubRuntimeApiOptions): Promise<StubRuntimeApi> {
  const environments = structuredClone(options.environments);
  const tokens = new Map(Object.entries(options.tokens));
  const requests: StubRequest[] = [];
  let mode: StubMode = { kind: "normal" };
  const hanging = new Set<ServerResponse>();

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const environment = environmentOf(request, tokens);
    const feature = request.headers["x-feature"];
    requests.push({
      path: `${url.pathname}${url.search}`,
      feature: typeof feature === "string" ? feature : undefined,
      authorized: environment !== undefined,
    });

    if (mode.kind === "hang") {
      hanging.add(response);
      return;
    }
    if (mode.kind === "server-error") return sendJson(response, 500, { error: "Internal error" });
    if (mode.kind === "rate-limited") {
      response.setHeader("retry-after", String(mode.retryAfterSeconds));
      return sendJson(response, 429, { error: "Too many requests" });
    }
    if (environment === undefined) {
      return sendJson(response, 401, { error: "The runtime token is not valid" });
    }

    const { status, body } = answer(url, environment, environments[environment] ?? {});
    sendJson(response, status, body);
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setMode(next) {
      mode = next;
    },
    setSecret(environment, name, value) {
      environments[environment] = { ...environments[environment], [name]: value };
    },
    revokeToken(token) {
      tokens.delete(token);
    },
    async close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// Routes one authorized request; the answers follow the console's runtime API.
function answer(url: URL, environment: string, secrets: Record<string, string>): StubAnswer {
  const prefix = "/runtime/v1/secrets";
  if (url.pathname === prefix) {
    const names = url.searchParams.get("names")?.split(",");
    const chosen = names
      ? Object.fromEntries(Object.entries(secrets).filter(([name]) => names.includes(name)))
      : secrets;
    return { status: 200, body: { environment, secrets: chosen } };
  }

  if (!url.pathname.startsWith(`${prefix}/`)) return { status: 404, body: { error: "Not found" } };

  const name = decodeURIComponent(url.pathname.slice(prefix.length + 1));
  if (!Object.hasOwn(secrets, name)) {
    return { status: 404, body: { error: `No secret ${name} in ${environment}` } };
  }
  return { status: 200, body: { environment, name, value: secrets[name] } };
}

function environmentOf(request: IncomingMessage, tokens: Map<string, string>): string | undefined {
  const match = /^Bearer (.+)$/.exec(request.headers.authorization ?? "");
  return match?.[1] === undefined ? undefined : tokens.get(match[1]);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify(body));
}
