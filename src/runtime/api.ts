// The runtime API, the one way a decrypted value leaves the console: an application's server
// runtime reads its environment's current values with a runtime token.
//
//   GET /runtime/v1/secrets[?names=A,B]  -> {"environment": "...", "secrets": {"A": "..."}}
//   GET /runtime/v1/secrets/NAME         -> {"environment": "...", "name": "NAME", "value": "..."}
//
// Only the bearer token counts: the router sits before the session middleware, so a cookie is
// never read here, and nothing answers a CORS preflight, so a browser page on another site
// cannot call it with a token it holds. Optional ?application= and ?environment= (slugs) make a
// runtime state what it expects; a token of another one is then refused like a wrong token.

import { type Express, type Request, type Response, Router } from "express";
import type { Database } from "../core/db/client.ts";
import { AppError, BadRequestError, NotFoundError, TooManyRequestsError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import type { Keyring } from "../crypto/keyring.ts";
import { SECRET_NAME_MAX_LENGTH, SECRET_NAME_PATTERN } from "../secrets/names.ts";
import { readCurrentValues } from "../secrets/queries.ts";
import {
  RuntimeTokenAuthenticator,
  type RuntimeTokenRecord,
  RuntimeTokenRefusedError,
} from "./authenticate.ts";
import { RateLimiter } from "./rate-limit.ts";
import { RuntimeUsage } from "./usage.ts";

export interface RuntimeAccessDeps {
  database: Database;
  keyring: Keyring;
  logger: Logger;
}

/** Limits and timings of the runtime API; the defaults are the production ones. */
export interface RuntimeAccessOptions {
  /** Requests per runtime token per minute (and the largest burst); default 600. */
  requestsPerMinute?: number;
  /** How long a token lookup is reused, so the longest a revocation elsewhere waits; 5 s. */
  tokenCacheMs?: number;
  /** How often read counts are written; default 5 s. */
  flushIntervalMs?: number;
  /** last_used_at moves at most this often; default a minute. */
  lastUsedEveryMs?: number;
  /** A token's "runtime.read" audit event is written at most this often; default an hour. */
  auditEveryMs?: number;
  now?: () => number;
}

export interface RuntimeAccess {
  /** Mounted at /runtime, ahead of the session middleware. */
  readonly router: Router;
  /**
   * The live runtime token of a request, within its rate limit: for any route of the runtime
   * API. Throws RuntimeTokenRefusedError (401, with WWW-Authenticate set) or a 429.
   */
  authorize(req: Request, res: Response): Promise<RuntimeTokenRecord>;
  /** Forgets a token's cached lookup; the console calls it when an owner revokes the token. */
  forgetToken(tokenId: string): void;
  /** Writes the read counts, last uses and use audit gathered so far. */
  flush(): Promise<void>;
  /** Stops the periodic flush and flushes one last time; for the server's shutdown. */
  stop(): Promise<void>;
}

export class MethodNotAllowedError extends AppError {
  constructor() {
    super(405, "The runtime API answers GET only.");
  }
}

/** Lower-case letters, digits, dashes, dots and underscores, at most 64. */
export const FEATURE_KEY_PATTERN = /^[a-z0-9._-]{1,64}$/;
const MAX_NAMES = 200;
const APP_LOCALS_KEY = "runtimeAccess";

export function createRuntimeAccess(
  deps: RuntimeAccessDeps,
  options: RuntimeAccessOptions = {},
): RuntimeAccess {
  const now = options.now ?? Date.now;
  const authenticator = new RuntimeTokenAuthenticator(deps.database.db, {
    cacheMs: options.tokenCacheMs ?? 5_000,
    maxEntries: 10_000,
    now,
  });
  const limiter = new RateLimiter({ perMinute: options.requestsPerMinute ?? 600, now });
  const usage = new RuntimeUsage(deps.database.db, deps.logger, {
    now,
    lastUsedEveryMs: options.lastUsedEveryMs ?? 60_000,
    auditEveryMs: options.auditEveryMs ?? 3_600_000,
  });

  const timer = setInterval(() => {
    usage.flush().catch((error: unknown) => {
      deps.logger.warn({ err: error }, "runtime read counts not saved yet; will try again");
    });
  }, options.flushIntervalMs ?? 5_000);
  timer.unref();

  async function authorize(req: Request, res: Response): Promise<RuntimeTokenRecord> {
    let token: RuntimeTokenRecord;
    try {
      token = await authenticator.authenticate(req.get("authorization"));
      checkScope(req, token);
    } catch (error) {
      if (error instanceof RuntimeTokenRefusedError) {
        res.setHeader("WWW-Authenticate", 'Bearer realm="runtime"');
      }
      throw error;
    }

    const decision = limiter.take(token.id);
    if (!decision.allowed) {
      throw new TooManyRequestsError(
        "This runtime token made too many requests; wait, then read less often (the client " +
          "caches values).",
        decision.retryAfterSeconds,
      );
    }
    return token;
  }

  return {
    router: runtimeRouter(deps, authorize, usage),
    authorize,
    forgetToken: (tokenId) => authenticator.forget(tokenId),
    flush: () => usage.flush(),
    async stop() {
      clearInterval(timer);
      await usage.flush();
    },
  };
}

/** Makes the runtime access findable from the express app, for the server's shutdown. */
export function exposeRuntimeAccess(app: Express, runtime: RuntimeAccess): void {
  app.locals[APP_LOCALS_KEY] = runtime;
}

export function runtimeAccessOf(app: Express): RuntimeAccess | undefined {
  return app.locals[APP_LOCALS_KEY] as RuntimeAccess | undefined;
}

function runtimeRouter(
  deps: RuntimeAccessDeps,
  authorize: RuntimeAccess["authorize"],
  usage: RuntimeUsage,
): Router {
  const router = Router();
  const paths = ["/v1/secrets", "/v1/secrets/:name"];

  router.use((req, res, next) => {
    res.setHeader("Cache-Control", "no-store");
    // No preflight is ever answered with Access-Control-* headers, whatever the path.
    if (req.method === "OPTIONS") refuseMethod(res);
    next();
  });
  // HEAD would read and count values only to send no body.
  router.head(paths, (_req, res) => refuseMethod(res));

  // Everything a request passes before any value is read: token, scope, limit, feature.
  async function admit(req: Request, res: Response) {
    const token = await authorize(req, res);
    return { token, feature: featureOf(req) };
  }

  // Requests for the same values that arrive while those are being read share that one read:
  // under load, one query, one round of decryption and one JSON encoding answer many requests.
  // Nothing is kept once the read's requests are answered.
  const reads = new Map<string, Promise<SharedRead>>();
  function currentValues(token: RuntimeTokenRecord, names?: string[]): Promise<SharedRead> {
    const key = `${token.environmentId}\n${names ? [...names].sort().join(",") : "*"}`;
    let read = reads.get(key);
    if (!read) {
      const environment = { id: token.environmentId, applicationId: token.applicationId };
      read = readCurrentValues(deps.database.db, deps.keyring, environment, names)
        .then((values) => new SharedRead(values))
        .finally(() => reads.delete(key));
      reads.set(key, read);
    }
    return read;
  }

  router.get("/v1/secrets", async (req, res) => {
    const { token, feature } = await admit(req, res);
    const names = namesOf(req);

    const read = await currentValues(token, names);
    usage.record(token, feature, read.values.keys());
    sendJson(res, read.body(token.environmentName));
  });

  router.get("/v1/secrets/:name", async (req, res) => {
    const { token, feature } = await admit(req, res);
    const name = String(req.params.name);
    if (!isSecretName(name)) {
      throw new NotFoundError(`There is no secret called ${name.slice(0, 40)}.`);
    }

    const value = (await currentValues(token, [name])).values.get(name);
    if (value === undefined) {
      throw new NotFoundError(`${token.environmentName} has no secret called ${name}.`);
    }
    usage.record(token, feature, [name]);
    sendJson(res, JSON.stringify({ environment: token.environmentName, name, value }));
  });

  router.all(paths, (_req, res) => refuseMethod(res));
  return router;
}

/** One read of an environment's values, sorted by name, and its answer once encoded. */
class SharedRead {
  readonly values: Map<string, string>;
  #body: { environment: string; json: string } | undefined;

  constructor(values: Map<string, string>) {
    this.values = new Map([...values].sort(([a], [b]) => (a < b ? -1 : 1)));
  }

  body(environment: string): string {
    if (this.#body?.environment !== environment) {
      const json = JSON.stringify({ environment, secrets: Object.fromEntries(this.values) });
      this.#body = { environment, json };
    }
    return this.#body.json;
  }
}

// Sent as is: an ETag (which express's send would compute) means nothing for an answer that
// must not be stored.
function sendJson(res: Response, json: string): void {
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  res.end(json);
}

function refuseMethod(res: Response): never {
  res.setHeader("Allow", "GET");
  throw new MethodNotAllowedError();
}

/** The optional ?application= and ?environment= slugs must be the token's own. */
function checkScope(req: Request, token: RuntimeTokenRecord): void {
  const application = queryText(req, "application");
  const environment = queryText(req, "environment");
  if (application !== undefined && application !== token.applicationSlug) {
    throw new RuntimeTokenRefusedError(
      `This runtime token does not belong to the application ${application.slice(0, 64)}.`,
    );
  }
  if (environment !== undefined && environment !== token.environmentSlug) {
    throw new RuntimeTokenRefusedError(
      `This runtime token does not read the environment ${environment.slice(0, 64)}.`,
    );
  }
}

/** The X-Feature key, or "" when the request names none. */
function featureOf(req: Request): string {
  const feature = req.get("x-feature");
  if (feature === undefined) return "";
  if (!FEATURE_KEY_PATTERN.test(feature)) {
    throw new BadRequestError(
      "X-Feature must be 1 to 64 lower-case letters, digits, dashes, dots or underscores.",
    );
  }
  return feature;
}

/** The names of ?names=A,B (also ?names=A&names=B), or undefined for every secret. */
function namesOf(req: Request): string[] | undefined {
  const raw = req.query.names;
  if (raw === undefined) return undefined;

  const parts = ([] as unknown[]).concat(raw).flatMap((part) => String(part).split(","));
  const names = [...new Set(parts)];
  if (names.length > MAX_NAMES || !names.every(isSecretName)) {
    throw new BadRequestError(
      `names must list up to ${MAX_NAMES} secret names (A to Z, digits, underscores), ` +
        "separated by commas.",
    );
  }
  return names;
}

function queryText(req: Request, name: string): string | undefined {
  const value = req.query[name];
  if (value === undefined) return undefined;
  return typeof value === "string" ? value : "";
}

function isSecretName(name: string): boolean {
  return name.length <= SECRET_NAME_MAX_LENGTH && SECRET_NAME_PATTERN.test(name);
}
