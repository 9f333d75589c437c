// Builds the console's express application from its dependencies. Tests call createApp and
// send requests to it without opening a port; src/server.ts adds the port and the lifecycle.

import { fileURLToPath } from "node:url";
import express, { type Express } from "express";
import helmet from "helmet";
import type { Config } from "./core/config.ts";
import type { Database } from "./core/db/client.ts";
import { errorHandler, notFound } from "./core/http/error-handler.ts";
import { requestLog } from "./core/http/request-log.ts";
import type { Logger } from "./core/logger.ts";
import type { Keyring } from "./crypto/keyring.ts";
import { healthRoutes } from "./health/routes.ts";

export const VIEWS_DIR = fileURLToPath(new URL("../views", import.meta.url));

export interface AppDeps {
  config: Config;
  database: Database;
  /** The master keys; verified against the database before the app is built. */
  keyring: Keyring;
  logger: Logger;
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

  app.get("/", (_req, res) => {
    res.render("home");
  });

  app.use(notFound);
  app.use(errorHandler);
  return app;
}
