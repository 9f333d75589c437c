// The Node client an application's server runtime uses to read its decrypted secrets from the
// console. It depends on nothing but Node's built-ins so it can ship as `secrets-console/client`.

/** What a failed load is reported as; every error this client throws extends it. */
export class SecretsClientError extends Error {
  override name = "SecretsClientError";
}

/** The options given to `createSecretsClient` cannot work (bad URL, malformed token...). */
export class SecretsConfigError extends SecretsClientError {
  override name = "SecretsConfigError";
}

/** The console could not be reached, timed out, failed (5xx) or answered something unreadable. */
export class SecretsUnavailableError extends SecretsClientError {
  override name = "SecretsUnavailableError";
}

/** The console asked this runtime to slow down (429); `retryAfterMs` says for how long. */
export class SecretsRateLimitedError extends SecretsUnavailableError {
  override name = "SecretsRateLimitedError";

  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

/** The console refused the runtime token (401 or 403): it is wrong, revoked or not allowed. */
export class SecretsAuthError extends SecretsClientError {
  override name = "SecretsAuthError";
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface SecretsClientOptions {
  /** Base URL of the console, e.g. `https://secrets.example.com`. */
  url: string;
  /** A runtime token (`scrt_...`); it is sent as a bearer token and never shown. */
  token: string;
  /** Key of the feature that reads, sent as `X-Feature`. */
  feature?: string;
  /** Limit the loaded environment to these secret names (`?names=`). */
  names?: readonly string[];
  /** How long loaded values are served before the console is asked again; default 30 s. */
  ttlMs?: number;
  /** How long one request to the console may take; default 5 s. */
  timeoutMs?: number;
  /** Called on every failed load, including those answered with last known values. */
  onError?: (error: SecretsClientError) => void;
  fetch?: FetchLike;
  /** The clock, in milliseconds; injectable so tests can move time. */
  now?: () => number;
}

export interface SecretsClient {
  /** The value of one secret, or undefined when the environment has no secret of that name. */
  get(name: string): Promise<string | undefined>;
  /** Every secret of the environment, as a fresh object the caller may change. */
  getAll(): Promise<Record<string, string>>;
  /**
   * Reloads now, whatever the TTL (joining a reload already under way); throws when the reload
   * fails, keeping the last values for get() unless the runtime token was refused.
   */
  refresh(): Promise<void>;
  /** Name of the environment the runtime token belongs to, once a load succeeded. */
  readonly environment: string | undefined;
  /** The error of the most recent failed load; cleared by the next successful one. */
  readonly lastError: SecretsClientError | undefined;
  /** True while the values served are last known ones the console could not confirm. */
  readonly stale: boolean;
}

interface Snapshot {
  environment: string;
  secrets: Record<string, string>;
}

const DEFAULT_TTL_MS = 30_000;
const DEFAULT_TIMEOUT_MS = 5_000;
const TOKEN_PATTERN = /^scrt_[\x21-\x7e]+$/;
const HEADER_SAFE = /^[\x21-\x7e]+$/;
const MAX_MESSAGE_FROM_CONSOLE = 200;

/** Creates a client; validates the options now so a misconfigured runtime fails at boot. */
export function createSecretsClient(options: SecretsClientOptions): SecretsClient {
  const baseUrl = checkUrl(options.url);
  const token = checkToken(options.token);
  const feature = options.feature === undefined ? undefined : checkFeature(options.feature);
  const names = options.names === undefined ? undefined : checkNames(options.names);
  const ttlMs = checkDuration("ttlMs", options.ttlMs ?? DEFAULT_TTL_MS);
  const timeoutMs = checkDuration("timeoutMs", options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  if (timeoutMs === 0) throw new SecretsConfigError("timeoutMs must be more than 0");
  const doFetch: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
  const now = options.now ?? Date.now;

  const endpoint = `${baseUrl}/runtime/v1/secrets`;
  const requestUrl = names
    ? `${endpoint}?names=${names.map(encodeURIComponent).join(",")}`
    : endpoint;
  const headers: Record<string, string> = {
    authorization: `Bearer ${token}`,
    accept: "application/json",
  };
  if (feature) headers["x-feature"] = feature;

  let snapshot: Snapshot | undefined;
  // When the cached snapshot (fresh or stale) should be replaced by asking the console again.
  let nextLoadAt = 0;
  let inFlight: Promise<Snapshot> | undefined;
  let rateLimitedUntil = 0;
  let lastError: SecretsClientError | undefined;
  let stale = false;

  // One request at a time: every caller that arrives while it runs waits for the same answer.
  function load(): Promise<Snapshot> {
    // Asking again before the console's Retry-After has passed would only prolong the limit.
    if (lastError instanceof SecretsRateLimitedError && now() < rateLimitedUntil) {
      return Promise.reject(lastError);
    }

    if (!inFlight) {
      inFlight = requestSnapshot().finally(() => {
        inFlight = undefined;
      });
    }
    return inFlight;
  }

  async function requestSnapshot(): Promise<Snapshot> {
    try {
      const loaded = await requestOnce(doFetch, requestUrl, endpoint, headers, timeoutMs, token);
      snapshot = loaded;
      nextLoadAt = now() + ttlMs;
      lastError = undefined;
      stale = false;
      return loaded;
    } catch (caught) {
      const error = asClientError(caught, endpoint, token);
      lastError = error;
      noteFailure(error);
      report(error);
      throw error;
    }
  }

  function noteFailure(error: SecretsClientError): void {
    // A refused token must stop working at once, so its last values are forgotten.
    if (error instanceof SecretsAuthError) {
      snapshot = undefined;
      stale = false;
      return;
    }

    // Without this pause every call after the TTL would wait out a dead console's timeout.
    const pause = error instanceof SecretsRateLimitedError ? error.retryAfterMs : ttlMs;
    nextLoadAt = now() + pause;
    if (error instanceof SecretsRateLimitedError) rateLimitedUntil = nextLoadAt;
    if (snapshot) stale = true;
  }

  // A logging callback that throws must not change what the callers of get() receive.
  function report(error: SecretsClientError): void {
    try {
      options.onError?.(error);
    } catch {
      // Ignored on purpose; see above.
    }
  }

  async function current(): Promise<Snapshot> {
    if (snapshot && now() < nextLoadAt) return snapshot;

    try {
      return await load();
    } catch (error) {
      if (error instanceof SecretsUnavailableError && snapshot) return snapshot;
      throw error;
    }
  }

  function checkName(name: string): void {
    if (names && !names.includes(name)) {
      throw new SecretsConfigError(
        `The secret "${name}" is not among the names this client was created with`,
      );
    }
  }

  return {
    async get(name) {
      checkName(name);
      const { secrets } = await current();
      return Object.hasOwn(secrets, name) ? secrets[name] : undefined;
    },

    async getAll() {
      const { secrets } = await current();
      return { ...secrets };
    },

    async refresh() {
      await load();
    },

    get environment() {
      return snapshot?.environment;
    },

    get lastError() {
      return lastError;
    },

    get stale() {
      return stale;
    },
  };
}

async function requestOnce(
  doFetch: FetchLike,
  requestUrl: string,
  endpoint: string,
  headers: Record<string, string>,
  timeoutMs: number,
  token: string,
): Promise<Snapshot> {
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  let body: unknown;
  try {
    response = await doFetch(requestUrl, { method: "GET", headers, signal, redirect: "error" });
    body = await readJson(response);
  } catch (error) {
    if (signal.aborted) {
      throw new SecretsUnavailableError(
        `The secrets console at ${endpoint} did not answer within ${timeoutMs} ms`,
      );
    }
    throw new SecretsUnavailableError(
      `The secrets console at ${endpoint} is unreachable: ${describeCause(error, token)}`,
    );
  }

  if (response.ok) return parseSnapshot(body, endpoint);

  const said = consoleMessage(body, token);
  const status = `answered ${response.status}${said ? ` (${said})` : ""}`;
  if (response.status === 401 || response.status === 403) {
    throw new SecretsAuthError(
      `The secrets console at ${endpoint} refused the runtime token: ${status}`,
    );
  }
  if (response.status === 429) {
    const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
    throw new SecretsRateLimitedError(
      `The secrets console at ${endpoint} is rate limiting this runtime: ${status}; ` +
        `retry after ${Math.ceil(retryAfterMs / 1000)} s`,
      retryAfterMs,
    );
  }
  throw new SecretsUnavailableError(`The secrets console at ${endpoint} ${status}`);
}

// An error page from a proxy is not JSON; that is reported by status, not as a parse failure.
async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function parseSnapshot(body: unknown, endpoint: string): Snapshot {
  const unreadable = new SecretsUnavailableError(
    `The secrets console at ${endpoint} answered without an environment and its secrets`,
  );
  if (!isRecord(body) || typeof body.environment !== "string" || !isRecord(body.secrets)) {
    throw unreadable;
  }

  const secrets: Record<string, string> = {};
  for (const [name, value] of Object.entries(body.secrets)) {
    if (typeof value !== "string") throw unreadable;
    secrets[name] = value;
  }
  return { environment: body.environment, secrets };
}

function consoleMessage(body: unknown, token: string): string | undefined {
  if (!isRecord(body) || typeof body.error !== "string") return undefined;
  return redact(body.error, token).slice(0, MAX_MESSAGE_FROM_CONSOLE);
}

// Accepts both forms HTTP allows: a number of seconds or a date.
function parseRetryAfter(header: string | null): number {
  const fallback = 1_000;
  if (!header) return fallback;

  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;

  const date = Date.parse(header);
  return Number.isNaN(date) ? fallback : Math.max(0, date - Date.now());
}

function describeCause(error: unknown, token: string): string {
  // fetch reports "fetch failed" and keeps the useful part (ECONNREFUSED...) in its cause.
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  const text = cause instanceof Error ? cause.message : String(cause);
  return redact(text, token).slice(0, MAX_MESSAGE_FROM_CONSOLE);
}

function asClientError(error: unknown, endpoint: string, token: string): SecretsClientError {
  if (error instanceof SecretsClientError) return error;
  return new SecretsUnavailableError(
    `Reading secrets from ${endpoint} failed: ${describeCause(error, token)}`,
  );
}

// Whatever the console or a proxy echoes, a runtime token never reaches a message.
function redact(text: string, token: string): string {
  return text.replaceAll(token, "[runtime token]").replace(/scrt_[\x21-\x7e]+/g, "[runtime token]");
}

function checkUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SecretsConfigError("The secrets console URL is not a valid URL");
  }

  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new SecretsConfigError(
      `The secrets console URL must start with http:// or https://, not ${parsed.protocol}//`,
    );
  }
  if (parsed.username || parsed.password) {
    throw new SecretsConfigError(
      "The secrets console URL must not hold a user name or password; pass the runtime token",
    );
  }
  if (parsed.search || parsed.hash) {
    throw new SecretsConfigError("The secrets console URL must not hold a query or a fragment");
  }
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, "")}`;
}

// The message never repeats the token: a malformed one may still be a real secret.
function checkToken(token: string): string {
  if (typeof token !== "string" || !token.startsWith("scrt_")) {
    throw new SecretsConfigError("The runtime token must start with scrt_");
  }
  if (!TOKEN_PATTERN.test(token)) {
    throw new SecretsConfigError(
      "The runtime token holds spaces or characters a token cannot have; copy it again",
    );
  }
  return token;
}

function checkFeature(feature: string): string {
  if (typeof feature !== "string" || !HEADER_SAFE.test(feature) || feature.length > 200) {
    throw new SecretsConfigError(
      "The feature key must be 1 to 200 printable characters without spaces",
    );
  }
  return feature;
}

function checkNames(names: readonly string[]): string[] {
  if (names.length === 0) {
    throw new SecretsConfigError("names must list at least one secret name when given");
  }
  for (const name of names) {
    if (typeof name !== "string" || name.length === 0 || name.includes(",")) {
      throw new SecretsConfigError("Each secret name in names must be non-empty, without commas");
    }
  }
  return [...names];
}

function checkDuration(option: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new SecretsConfigError(`${option} must be a number of milliseconds, 0 or more`);
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
