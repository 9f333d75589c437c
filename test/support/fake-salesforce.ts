// A local stand-in for a Salesforce org: the token endpoint and the few data API calls the
// connection check makes, with the bodies Salesforce sends, plus faults on demand.

import { once } from "node:events";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export type FakeEndpoint = "versions" | "token" | "describe" | "query";

export type FakeFault =
  /** Accepts the request and never answers. */
  | { kind: "hang" }
  /** 503 with a maintenance page, as a proxy or an org in maintenance sends. */
  | { kind: "html-503" }
  /** 200 declared as JSON whose text stops midway. */
  | { kind: "malformed-json" }
  /** 200 whose body never ends. */
  | { kind: "endless-body" }
  | { kind: "redirect"; location: string; status?: 301 | 302 | 307 | 308 }
  /** A web server's welcome page, as any non-Salesforce host answers. */
  | { kind: "not-salesforce" }
  | { kind: "raw"; status: number; contentType: string; body: string };

export type WritePermission = "createable" | "updateable" | "deletable";

export interface FakeSalesforceState {
  clientId: string;
  clientSecret: string;
  /** The token issued on success and required on data calls. */
  accessToken: string;
  /** Which kind of host this fake plays; only "my-domain" issues tokens. */
  domain: "my-domain" | "login" | "setup" | "lightning";
  /** Where a Lightning host redirects to. */
  myDomainUrl: string;
  /** The instance_url the token answer names; defaults to the fake's own URL. */
  reportedInstanceUrl: string | null;
  clientCredentialsFlow: boolean;
  runAsUser: boolean;
  adminApproved: boolean;
  /** Any other token error, answered once the credentials are right. */
  tokenError: { error: string; error_description: string } | null;
  /** Rejects even the issued token, as when the app lacks the api scope. */
  sessionRejected: boolean;
  apiEnabled: boolean;
  requestLimitExceeded: boolean;
  apiUsage: { used: number; limit: number } | null;
  versions: { version: string; label: string }[];
  /** Objects the run-as user cannot see: describe 404, query 400 INVALID_TYPE. */
  invisibleObjects: string[];
  writable: Record<string, WritePermission[]>;
  recordCounts: Record<string, number>;
  faults: Partial<Record<FakeEndpoint | "any", FakeFault>>;
  /** Puts the bearer token into data API error messages, to prove they are scrubbed. */
  echoTokenInErrors: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: string;
  endpoint: FakeEndpoint | "other";
}

export interface FakeSalesforce {
  url: string;
  state: FakeSalesforceState;
  setState(patch: Partial<FakeSalesforceState>): void;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export const FAKE_ORG_ID = "00D5g000004ABCDEAU";
export const FAKE_USER_ID = "0055g00000XYZ12AAA";

const JSON_TYPE = "application/json;charset=UTF-8";

export function defaultFakeState(): FakeSalesforceState {
  return {
    clientId: "3MVG9fakeConsumerKey0000000000000000000000000000000000000000000000000000000000",
    clientSecret: "FAKECONSUMERSECRET0000000000000000000000000000000000000000000000",
    accessToken: "00D5g000004ABCD!AQ4AQFakeAccessToken0000000000000000000000000000000",
    domain: "my-domain",
    myDomainUrl: "https://acme.my.salesforce.com",
    reportedInstanceUrl: null,
    clientCredentialsFlow: true,
    runAsUser: true,
    adminApproved: true,
    tokenError: null,
    sessionRejected: false,
    apiEnabled: true,
    requestLimitExceeded: false,
    apiUsage: { used: 25, limit: 15000 },
    versions: [
      { version: "65.0", label: "Winter '26" },
      { version: "67.0", label: "Summer '26" },
      { version: "66.0", label: "Spring '26" },
    ],
    invisibleObjects: [],
    writable: {},
    recordCounts: { Opportunity: 42, Account: 17, Contact: 128 },
    faults: {},
    echoTokenInErrors: false,
  };
}

export async function startFakeSalesforce(
  initial: Partial<FakeSalesforceState> = {},
): Promise<FakeSalesforce> {
  const fake = {
    url: "",
    state: { ...defaultFakeState(), ...initial },
    requests: [] as RecordedRequest[],
  };

  const server = createServer((req, res) => {
    handle(fake, req, res).catch(() => res.destroy());
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return Object.assign(fake, {
    setState(patch: Partial<FakeSalesforceState>) {
      fake.state = { ...fake.state, ...patch };
    },
    async close() {
      // Hanging and endless answers hold their sockets; close them so the port is let go.
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

interface Fake {
  url: string;
  state: FakeSalesforceState;
  requests: RecordedRequest[];
}

async function handle(
  fake: Fake,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<ServerResponse> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const url = new URL(req.url ?? "/", fake.url);
  const endpoint = endpointOf(url.pathname);
  fake.requests.push({
    method: req.method ?? "",
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: req.headers,
    body: Buffer.concat(chunks).toString("utf8"),
    endpoint,
  });
  const body = fake.requests.at(-1)!.body;
  const { state } = fake;

  const fault = (endpoint !== "other" && state.faults[endpoint]) || state.faults.any;
  if (fault) return answerFault(fault, endpoint, state, res);

  if (state.domain === "lightning") {
    res.writeHead(302, { location: `${state.myDomainUrl}${url.pathname}${url.search}` });
    return res.end();
  }

  if (endpoint === "token") return token(fake, req, body, res);
  if (endpoint === "versions") {
    const list = state.versions.map((v) => ({ ...v, url: `/services/data/v${v.version}` }));
    return send(res, 200, list);
  }
  if (endpoint === "describe" || endpoint === "query") return data(fake, req, url, res);
  return send(res, 404, [
    { errorCode: "NOT_FOUND", message: "The requested resource does not exist" },
  ]);
}

function endpointOf(path: string): FakeEndpoint | "other" {
  if (path === "/services/data/" || path === "/services/data") return "versions";
  if (path === "/services/oauth2/token") return "token";
  if (/^\/services\/data\/v[\d.]+\/sobjects\/\w+\/describe\/?$/.test(path)) return "describe";
  if (/^\/services\/data\/v[\d.]+\/query\/?$/.test(path)) return "query";
  return "other";
}

function token(
  fake: Fake,
  req: IncomingMessage,
  body: string,
  res: ServerResponse,
): ServerResponse {
  const { state } = fake;
  const refuse = (error: string, description: string, status = 400) =>
    send(res, status, { error, error_description: description });

  if (req.method !== "POST") return refuse("invalid_request", "must use HTTP POST");
  if (state.domain === "login" || state.domain === "setup") {
    return refuse("invalid_grant", "request not supported on this domain");
  }

  // Salesforce reads only a form body; JSON arrives as if no grant type had been named.
  const type = req.headers["content-type"] ?? "";
  if (!type.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
    return refuse("unsupported_grant_type", "grant type not supported");
  }
  const form = new URLSearchParams(body);
  if (form.get("grant_type") !== "client_credentials") {
    return refuse("unsupported_grant_type", "grant type not supported");
  }

  const basic = readBasic(req.headers.authorization);
  const clientId = basic?.id ?? form.get("client_id") ?? "";
  const clientSecret = basic?.secret ?? form.get("client_secret") ?? "";
  if (clientId !== state.clientId) return refuse("invalid_client_id", "client identifier invalid");
  if (clientSecret !== state.clientSecret) {
    return refuse("invalid_client", "invalid client credentials");
  }
  if (!state.clientCredentialsFlow)
    return refuse("unsupported_grant_type", "grant type not supported");
  if (!state.runAsUser) return refuse("invalid_grant", "no client credentials user enabled");
  if (!state.adminApproved) {
    return refuse("invalid_app_access", "user is not admin approved to access this app");
  }
  if (state.tokenError) return send(res, 400, state.tokenError);

  const instanceUrl = state.reportedInstanceUrl ?? fake.url;
  return send(res, 200, {
    access_token: state.accessToken,
    signature: "c2lnbmF0dXJlLW9mLXRoZS1mYWtl",
    scope: "api",
    instance_url: instanceUrl,
    id: `${instanceUrl}/id/${FAKE_ORG_ID}/${FAKE_USER_ID}`,
    token_type: "Bearer",
    issued_at: String(Date.now()),
    api_instance_url: "https://api.salesforce.com",
  });
}

function readBasic(header: string | undefined): { id: string; secret: string } | null {
  if (!header?.startsWith("Basic ")) return null;
  const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  return { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

function data(fake: Fake, req: IncomingMessage, url: URL, res: ServerResponse): ServerResponse {
  const { state } = fake;
  const headers: Record<string, string> = {};
  if (state.apiUsage) {
    headers["sforce-limit-info"] = `api-usage=${state.apiUsage.used}/${state.apiUsage.limit}`;
  }
  const echo = state.echoTokenInErrors ? ` (session ${bearer(req) ?? "none"})` : "";
  const error = (status: number, errorCode: string, message: string) =>
    send(res, status, [{ message: `${message}${echo}`, errorCode }], headers);

  if (bearer(req) !== state.accessToken || state.sessionRejected) {
    return error(401, "INVALID_SESSION_ID", "Session expired or invalid");
  }
  if (!state.apiEnabled) {
    return error(403, "API_DISABLED_FOR_ORG", "The REST API is not enabled for this Organization.");
  }
  if (state.requestLimitExceeded) {
    return error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.");
  }
  const version = /^\/services\/data\/v([\d.]+)\//.exec(url.pathname)?.[1];
  if (!state.versions.some((v) => v.version === version)) {
    return error(404, "NOT_FOUND", "The requested resource does not exist");
  }

  const known = (name: string) =>
    name in state.recordCounts && !state.invisibleObjects.includes(name);

  if (url.pathname.endsWith("/describe") || url.pathname.endsWith("/describe/")) {
    const name = url.pathname.split("/")[5] ?? "";
    if (!known(name)) return error(404, "NOT_FOUND", "The requested resource does not exist");
    const writes = state.writable[name] ?? [];
    return send(res, 200, describeBody(name, writes), headers);
  }

  const soql = url.searchParams.get("q") ?? "";
  const match = /^SELECT COUNT\(\) FROM (\w+)$/i.exec(soql.trim());
  if (!match) return error(400, "MALFORMED_QUERY", "unexpected token");
  const name = match[1]!;
  if (!known(name)) {
    const column = soql.indexOf(name);
    return error(
      400,
      "INVALID_TYPE",
      `\n${soql}\n${" ".repeat(column)}^\nERROR at Row:1:Column:${column + 1}` +
        `\nsObject type '${name}' is not supported. If you are attempting to use a custom ` +
        "object, be sure to append the '__c' after the entity name. Please reference your " +
        "WSDL or the describe call for the appropriate names.",
    );
  }
  return send(res, 200, { totalSize: state.recordCounts[name], done: true, records: [] }, headers);
}

function bearer(req: IncomingMessage): string | null {
  const header = req.headers.authorization ?? "";
  return header.startsWith("Bearer ") ? header.slice(7) : null;
}

function describeBody(name: string, writes: WritePermission[]) {
  return {
    name,
    label: name,
    keyPrefix: { Opportunity: "006", Account: "001", Contact: "003" }[name] ?? "a00",
    custom: false,
    queryable: true,
    retrieveable: true,
    searchable: true,
    createable: writes.includes("createable"),
    updateable: writes.includes("updateable"),
    deletable: writes.includes("deletable"),
    fields: [
      { name: "Id", type: "id", createable: false, updateable: false },
      { name: "Name", type: "string", createable: true, updateable: true },
    ],
    urls: { describe: `/services/data/v67.0/sobjects/${name}/describe` },
  };
}

function answerFault(
  fault: FakeFault,
  endpoint: FakeEndpoint | "other",
  state: FakeSalesforceState,
  res: ServerResponse,
): ServerResponse {
  switch (fault.kind) {
    case "hang":
      return res;
    case "html-503":
      res.writeHead(503, { "content-type": "text/html; charset=UTF-8" });
      return res.end(
        "<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body>" +
          "<h1>Down for maintenance</h1><p>This org is being upgraded.</p></body></html>",
      );
    case "malformed-json": {
      res.writeHead(200, { "content-type": JSON_TYPE });
      // A token answer cut off mid-way still holds the token, which must not be shown.
      const start =
        endpoint === "token"
          ? `{"access_token":"${state.accessToken}","instance_url":"https://acme.my.sa`
          : `[{"label":"Summer '26","url":"/services/data/v67.0","vers`;
      return res.end(start);
    }
    case "endless-body":
      return endless(res);
    case "redirect":
      res.writeHead(fault.status ?? 302, { location: fault.location });
      return res.end();
    case "not-salesforce":
      res.writeHead(200, { "content-type": "text/html" });
      return res.end("<!DOCTYPE html><html><title>Welcome to nginx!</title></html>");
    case "raw":
      res.writeHead(fault.status, { "content-type": fault.contentType });
      return res.end(fault.body);
  }
}

function endless(res: ServerResponse): ServerResponse {
  res.writeHead(200, { "content-type": JSON_TYPE });
  res.write("[");
  const chunk = Buffer.from(`${'{"version":"67.0"},'.repeat(1000)}`);
  const pump = () => {
    while (!res.destroyed && res.write(chunk)) {}
    if (!res.destroyed) res.once("drain", pump);
  };
  pump();
  return res;
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): ServerResponse {
  res.writeHead(status, { "content-type": JSON_TYPE, ...headers });
  return res.end(JSON.stringify(body));
}
