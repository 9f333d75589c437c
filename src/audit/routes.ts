// The audit log of an application, newest first, filtered by environment and secret name.

import { and, desc, eq, lt } from "drizzle-orm";
import { queryParam } from "../accounts/forms.ts";
import type { ApplicationRoutes } from "../applications/access.ts";
import type { Database } from "../core/db/client.ts";
import { environmentBySlug } from "../secrets/place.ts";
import { describeEvent } from "./describe.ts";
import { auditEvents } from "./tables.ts";

const PAGE_SIZE = 50;

export function auditRoutes(routes: ApplicationRoutes, database: Database): void {
  routes.get("/audit", "viewer", async (req, res, context) => {
    const environmentSlug = queryParam(req.query, "environment");
    const environment = environmentSlug ? environmentBySlug(context, environmentSlug) : null;
    const secret = queryParam(req.query, "secret").trim().toUpperCase().slice(0, 128);
    const before = parseCursor(queryParam(req.query, "before"));

    const rows = await database.db
      .select()
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.applicationId, context.application.id),
          environment ? eq(auditEvents.environmentId, environment.id) : undefined,
          secret ? eq(auditEvents.secretName, secret) : undefined,
          before ? lt(auditEvents.createdAt, before) : undefined,
        ),
      )
      .orderBy(desc(auditEvents.createdAt))
      .limit(PAGE_SIZE + 1);

    const events = rows.slice(0, PAGE_SIZE).map((row) => ({
      ...row,
      sentence: describeEvent(row),
    }));
    const next = rows.length > PAGE_SIZE ? events.at(-1)!.createdAt.toISOString() : null;
    const filters = new URLSearchParams();
    if (environment) filters.set("environment", environment.slug);
    if (secret) filters.set("secret", secret);

    res.render("audit/index", {
      title: "Audit log",
      events,
      filter: { environment: environment?.slug ?? "", secret },
      older: next ? `?${filters.toString()}${filters.size ? "&" : ""}before=${next}` : null,
    });
  });
}

function parseCursor(input: string): Date | null {
  if (!/^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(input)) return null;
  const date = new Date(input);
  return Number.isNaN(date.getTime()) ? null : date;
}
