// The Features tab: every feature with the secrets it needs and, per environment, whether it is
// ready there or which secrets are missing (the classic: added to Preview, not Production).
// Owners declare features here too; the application's code declares them through the runtime.

import { field } from "../accounts/forms.ts";
import { setFlash } from "../accounts/http.ts";
import type { ApplicationContext, ApplicationRoutes } from "../applications/access.ts";
import type { Database } from "../core/db/client.ts";
import { BadRequestError, NotFoundError } from "../core/errors.ts";
import { actorOf } from "../secrets/place.ts";
import { listApplicationSecrets } from "../secrets/queries.ts";
import {
  FEATURE_KEY_PATTERN,
  type FeatureRow,
  featureProblem,
  listFeatures,
  removeConsoleFeature,
  saveConsoleFeature,
} from "./features.ts";

export interface FeatureView {
  key: string;
  name: string;
  sources: string[];
  secrets: string[];
  /** Per environment id: null when not declared there, else the missing secrets. */
  readiness: Record<string, string[] | null>;
}

/** Groups declarations by key and works out, per environment, what is missing. */
export function featureViews(
  rows: FeatureRow[],
  liveSecrets: { environmentId: string; name: string }[],
): FeatureView[] {
  const live = new Set(liveSecrets.map((row) => `${row.environmentId}/${row.name}`));
  const byKey = new Map<string, FeatureView>();
  for (const row of rows) {
    const view = byKey.get(row.key) ?? {
      key: row.key,
      name: row.name,
      sources: [],
      secrets: [],
      readiness: {},
    };
    if (!view.sources.includes(row.source)) view.sources.push(row.source);
    view.secrets = [...new Set([...view.secrets, ...row.secrets])].sort();
    const missing = row.secrets.filter((name) => !live.has(`${row.environmentId}/${name}`));
    const earlier = view.readiness[row.environmentId];
    view.readiness[row.environmentId] = [...new Set([...(earlier ?? []), ...missing])].sort();
    byKey.set(row.key, view);
  }
  return [...byKey.values()];
}

export function featureRoutes(routes: ApplicationRoutes, database: Database): void {
  const tab = (context: ApplicationContext) =>
    `/apps/${context.application.slug}/configuration/features`;

  routes.get("/configuration/features", "viewer", async (req, res, context) => {
    const [rows, live] = await Promise.all([
      listFeatures(database.db, context.application.id),
      listApplicationSecrets(database.db, context.application.id),
    ]);
    const views = featureViews(rows, live);
    const editKey = typeof req.query.edit === "string" ? req.query.edit : "";
    const editing = views.find((view) => view.key === editKey && view.sources.includes("console"));
    const consoleRows = rows.filter((row) => row.key === editing?.key && row.source === "console");

    res.render("features/index", {
      title: "Features",
      features: views,
      errors: {},
      values: editing
        ? {
            key: editing.key,
            name: editing.name,
            secrets: consoleRows[0]?.secrets.join(", ") ?? "",
            environments: consoleRows.map((row) => row.environmentId),
          }
        : { key: "", name: "", secrets: "", environments: context.environments.map((e) => e.id) },
      editing: Boolean(editing),
    });
  });

  routes.post("/configuration/features", "owner", async (req, res, context) => {
    const input = {
      key: field(req.body, "key").trim(),
      name: field(req.body, "name").trim(),
      secrets: [
        ...new Set(
          field(req.body, "secrets")
            .split(/[\s,]+/)
            .filter(Boolean)
            .map((name) => name.toUpperCase()),
        ),
      ].sort(),
    };
    const problem = featureProblem(input);
    if (problem) throw new BadRequestError(problem);

    const raw = (req.body as Record<string, unknown>).environments;
    const chosen = (Array.isArray(raw) ? raw : [raw]).filter((id) => typeof id === "string");
    const inEnvironments = context.environments.filter((environment) =>
      chosen.includes(environment.id),
    );
    if (inEnvironments.length === 0) {
      throw new BadRequestError("Choose the environments where the feature runs.");
    }

    await saveConsoleFeature(
      database,
      actorOf(context),
      context.application.id,
      input,
      inEnvironments,
      context.environments,
    );
    await setFlash(res, "success", `Feature ${input.name} saved.`);
    res.redirect(303, tab(context));
  });

  routes.post("/configuration/features/:key/remove", "owner", async (req, res, context) => {
    const key = String(req.params.key);
    if (!FEATURE_KEY_PATTERN.test(key)) throw new NotFoundError("There is no such feature.");
    const removed = await removeConsoleFeature(
      database,
      actorOf(context),
      context.application.id,
      key,
    );
    if (removed === 0) throw new NotFoundError(`No feature ${key} was declared in the console.`);
    await setFlash(res, "success", `Feature ${key} removed.`);
    res.redirect(303, tab(context));
  });
}
