// Probes for process managers and load balancers: /healthz says the process answers,
// /readyz that the database answers and has every migration applied.

import { sql } from "drizzle-orm";
import { Router } from "express";
import type { Database } from "../core/db/client.ts";
import { migrationsAreCurrent } from "../core/db/migrate.ts";

export function healthRoutes(database: Database): Router {
  const router = Router();

  router.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });

  router.get("/readyz", async (req, res) => {
    try {
      await database.rows(sql`select 1`);
      if (!(await migrationsAreCurrent(database))) {
        res.status(503).json({ status: "unavailable", reason: "migrations are not applied" });
        return;
      }
      res.json({ status: "ready" });
    } catch (error) {
      req.log.warn({ err: error }, "readiness check failed");
      res.status(503).json({ status: "unavailable", reason: "the database does not answer" });
    }
  });

  return router;
}
