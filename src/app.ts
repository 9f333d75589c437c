// Builds the console's express application from its dependencies. Tests call createApp and
// send requests to it without opening a port; src/server.ts adds the port and the lifecycle.

import { fileURLToPath } from "node:url";
import express, { type Express } from "express";
import helmet from "helmet";
import { csrfProtection, loadSession } from "./accounts/http.ts";
import { createPasswordHasher, type PasswordHasher } from "./accounts/passwords.ts";
import { accountRoutes } from "./accounts/routes.ts";
import { createApplicationRoutes, exposeApplicationRoutes } from "./applications/access.ts";
import { applicationPages } from "./applications/routes.ts";
import { auditRoutes } from "./audit/routes.ts";
import type { Config } from "./core/config.ts";
import type { Database } from "./core/db/client.ts";
import { errorHandler, notFound } from "./core/http/error-handler.ts";
import { requestLog } from "./core/http/request-log.ts";
import type { Logger } from "./core/logger.ts";
import type { Keyring } from "./crypto/keyring.ts";
import { environmentRoutes } from "./environments/routes.ts";
import { featureManifestRoute } from "./features/manifest-route.ts";
import { featureRoutes } from "./features/routes.ts";
import { healthRoutes } from "./health/routes.ts";
import {
  createRuntimeAccess,
  exposeRuntimeAccess,
  type RuntimeAccessOptions,
} from "./runtime/api.ts";
import { runtimeTokenRoutes } from "./runtime/routes.ts";
import { salesforceRoutes } from "./salesforce/routes.ts";
import { bulkSecretRoutes } from "./secrets/bulk-routes.ts";
import { secretRoutes } from "./secrets/routes.ts";

export const VIEWS_DIR = fileURLToPath(new URL("../views", import.meta.url));

export interface AppDeps {
  config: Config;
  database: Database;
  /** The master keys; verified against the database before the app is built. */
  keyring: Keyring;
  logger: Logger;
  /** Password hashing; tests may watch it, production takes argon2id at interactive limits. */
  passwords?: PasswordHasher;
  /** Limits and timings of the runtime API; tests shorten them, production takes defaults. */
  runtime?: RuntimeAccessOptions;
}

export function createApp(deps: AppDeps): Express {
  const { config, database, logger } = deps;
  const app = express();

  app.disable("x-powered-by");
  app.set("view engine", "ejs");
  app.set("views", VIEWS_DIR);
  app.set("query parser", "simple");

  app.use(requestLog(logger));
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", "data:"],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
          objectSrc: ["'none'"],
          ...(config.secureCookies ? { upgradeInsecureRequests: [] } : {}),
        },
      },
      strictTransportSecurity: config.secureCookies,
    }),
  );
  app.use("/assets", express.static(`${VIEWS_DIR}/assets`, { fallthrough: false, maxAge: "1h" }));

  // Pages of a secrets console are never worth caching, in a browser or a proxy.
  app.use((_req, res, next) => {
    res.setHeader("Cache-Control", "no-store");
    next();
  });
  app.use(express.urlencoded({ extended: false, limit: "1mb", parameterLimit: 1000 }));

  app.use(healthRoutes(database));

  // The runtime API authenticates with a bearer token alone, so it comes before the session.
  const runtime = createRuntimeAccess({ database, keyring: deps.keyring, logger }, deps.runtime);
  exposeRuntimeAccess(app, runtime);
  app.use("/runtime", featureManifestRoute(runtime, database));
  app.use("/runtime", runtime.router);

  // The session, then the CSRF check, ahead of every page: no route can skip either.
  app.use(loadSession({ config, database }));
  app.use(csrfProtection(config));

  const passwords = deps.passwords ?? createPasswordHasher();
  app.use(accountRoutes({ config, database, passwords }));

  // Pages below /apps/:app are declared on applicationRoutes, each with the role it needs.
  const applicationRoutes = createApplicationRoutes(database);
  exposeApplicationRoutes(app, applicationRoutes);
  app.use(applicationPages({ config, database, passwords, routes: applicationRoutes }));
  // Import and copy first: their fixed words (import, copy) would otherwise be taken for a
  // secret's :name, and express 5 paths cannot restrict a parameter's pattern.
  bulkSecretRoutes(applicationRoutes, { database, keyring: deps.keyring });
  const allowInsecureLoopback = config.salesforceAllowInsecureLoopback;
  const connectionChecks = { database, keyring: deps.keyring, allowInsecureLoopback };
  secretRoutes(applicationRoutes, { database, keyring: deps.keyring, connectionChecks });
  salesforceRoutes(applicationRoutes, connectionChecks);
  environmentRoutes(applicationRoutes, database);
  auditRoutes(applicationRoutes, database);
  featureRoutes(applicationRoutes, database);
  runtimeTokenRoutes(applicationRoutes, { config, database, runtime });

  app.use(notFound);
  app.use(errorHandler);
  return app;
}
