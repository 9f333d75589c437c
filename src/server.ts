// The console's server: reads the configuration, opens and migrates the database, serves, and
// on SIGTERM or SIGINT finishes the requests in flight before closing the database.

import type { Server } from "node:http";
import { announceSetupLink } from "./accounts/setup.ts";
import { createApp } from "./app.ts";
import { openConsole } from "./core/boot.ts";
import { loadConfig } from "./core/config.ts";
import { StartupError } from "./core/errors.ts";
import { createLogger } from "./core/logger.ts";
import { runtimeAccessOf } from "./runtime/api.ts";
import { schedulePurge } from "./secrets/purge-schedule.ts";

/** How long requests in flight get to finish after a stop signal before the process exits. */
const SHUTDOWN_GRACE_MS = 10_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({ level: config.logLevel });
  const opened = await openConsole(config, logger, "npm start");

  const app = createApp({ config, database: opened.database, keyring: opened.keyring, logger });
  const server = await listen(app, config.host, config.port).catch(async (error) => {
    await opened.close();
    throw error;
  });

  const stopPurge = schedulePurge(opened.database, logger);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "stopping: finishing requests in flight");
    const force = setTimeout(() => {
      logger.warn("requests still open after the grace period; closing them");
      server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    force.unref();

    stopPurge();
    server.close(async () => {
      // Read counts gathered in memory are written before the database goes.
      await runtimeAccessOf(app)
        ?.stop()
        .catch((error) => logger.error({ err: error }, "saving runtime read counts"));
      await opened.close().catch((error) => logger.error({ err: error }, "closing the database"));
      logger.info("stopped");
      logger.flush(() => process.exit(0));
    });
    server.closeIdleConnections();
  };
  // Handlers go in before the "listening" line, so a supervisor that signals as soon as it
  // reads that line always gets a clean stop.
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));

  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  logger.info(
    { port, database: opened.database.kind },
    `Secrets console listening on http://${config.host}:${port}`,
  );
  await announceSetupLink(opened.database, config.publicUrl, port);
}

function listen(app: ReturnType<typeof createApp>, host: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once("listening", () => resolve(server));
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") {
        reject(
          new StartupError(
            `Port ${port} on ${host} is already in use; set PORT to a free ` +
              "port or stop the other server.",
          ),
        );
      } else if (error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND") {
        reject(
          new StartupError(
            `HOST ${host} is not an address of this machine; set HOST to ` +
              "127.0.0.1 or 0.0.0.0.",
          ),
        );
      } else {
        reject(error);
      }
    });
  });
}

main().catch((error: unknown) => {
  if (error instanceof StartupError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`The console could not start: ${(error as Error).message}\n`);
  }
  process.exit(1);
});
