// Purges secrets deleted more than RESTORE_DAYS ago: once at start, then every hour, so a
// console that runs for months keeps its promise that deleted values really go.

import type { Database } from "../core/db/client.ts";
import type { Logger } from "../core/logger.ts";
import { purgeDeletedSecrets } from "./changes.ts";

const HOUR_MS = 60 * 60 * 1000;

export function schedulePurge(database: Database, logger: Logger): () => void {
  const run = async () => {
    try {
      const purged = await purgeDeletedSecrets(database);
      if (purged > 0) logger.info({ purged }, "purged deleted secrets past their restore window");
    } catch (error) {
      logger.error({ err: error }, "purging deleted secrets failed; will try again in an hour");
    }
  };

  void run();
  const timer = setInterval(run, HOUR_MS);
  timer.unref();
  return () => clearInterval(timer);
}
