// Import and copy on the Secrets tab. Import previews pasted .env text before applying it; the
// text waits sealed on the server in between. Copy moves values between two environments of
// the application without them ever reaching the browser.

import { field } from "../accounts/forms.ts";
import { setFlash } from "../accounts/http.ts";
import type { ApplicationRoutes } from "../applications/access.ts";
import { BadRequestError } from "../core/errors.ts";
import {
  applyImport,
  copySecrets,
  discardPendingImport,
  planImport,
  readPendingImport,
  savePendingImport,
} from "./bulk.ts";
import type { SecretsDeps } from "./changes.ts";
import { parseDotenv } from "./dotenv.ts";
import {
  actorOf,
  environmentBySlug,
  placeOf,
  routePlace,
  secretPath,
  secretsPath,
} from "./place.ts";
import { listSecrets } from "./queries.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function bulkSecretRoutes(routes: ApplicationRoutes, deps: SecretsDeps): void {
  routes.get("/configuration/secrets/:env/import", "owner", (req, res, context) => {
    const { environment } = routePlace(req, context);
    res.render("secrets/import", {
      title: "Import a .env file",
      environment,
      errors: {},
      problems: [],
      action: `${secretPath(context, environment)}/import`,
      cancel: secretsPath(context, environment),
    });
  });

  // Step 1: parse, keep the text sealed, and show what would change.
  routes.post("/configuration/secrets/:env/import", "owner", async (req, res, context) => {
    const { environment, place } = routePlace(req, context);
    const text = field(req.body, "text");
    const parsed = parseDotenv(text);

    if (parsed.entries.length === 0) {
      const message =
        text.trim() === ""
          ? "Paste the contents of a .env file."
          : "No line could be imported; see the problems below.";
      res.status(400).render("secrets/import", {
        title: "Import a .env file",
        environment,
        errors: { text: message },
        problems: parsed.problems,
        action: `${secretPath(context, environment)}/import`,
        cancel: secretsPath(context, environment),
      });
      return;
    }

    const plan = await planImport(deps, place, parsed.entries);
    const importId = await savePendingImport(deps, place, context.user.id, text);
    res.render("secrets/import-preview", {
      title: "Import preview",
      environment,
      plan,
      problems: parsed.problems,
      warnings: parsed.entries.flatMap((entry) =>
        entry.warnings.map((warning) => ({ line: entry.line, name: entry.name, warning })),
      ),
      action: `${secretPath(context, environment)}/import/${importId}/apply`,
      cancel: secretsPath(context, environment),
    });
  });

  // Step 2: apply exactly what was previewed, in one transaction.
  routes.post(
    "/configuration/secrets/:env/import/:importId/apply",
    "owner",
    async (req, res, context) => {
      const { environment, place } = routePlace(req, context);
      const importId = String(req.params.importId);
      const text = UUID.test(importId)
        ? await readPendingImport(deps, place, context.user.id, importId)
        : null;
      if (text === null) {
        throw new BadRequestError(
          "This import has expired or was already applied. Paste the " +
            "file again to start over.",
        );
      }

      const { entries } = parseDotenv(text);
      const replace = field(req.body, "replace") === "yes";
      const result = await applyImport(deps, actorOf(context), place, entries, { replace });
      await discardPendingImport(deps, importId);

      await setFlash(
        res,
        "success",
        `Imported into ${environment.name}: ${result.added} added, ${result.replaced} replaced, ` +
          `${result.left} left as they were.`,
      );
      res.redirect(303, secretsPath(context, environment));
    },
  );

  routes.get("/configuration/secrets/:env/copy", "owner", async (req, res, context) => {
    const { environment } = routePlace(req, context);
    res.render("secrets/copy", {
      title: "Copy secrets",
      environment,
      secrets: await listSecrets(deps.database.db, environment.id),
      targets: context.environments.filter((candidate) => candidate.id !== environment.id),
      errors: {},
      action: `${secretPath(context, environment)}/copy`,
      cancel: secretsPath(context, environment),
    });
  });

  routes.post("/configuration/secrets/:env/copy", "owner", async (req, res, context) => {
    const { environment, place } = routePlace(req, context);
    const target = environmentBySlug(context, field(req.body, "target"));
    if (target.id === environment.id) {
      throw new BadRequestError("Choose another environment to copy to.");
    }

    const raw = (req.body as Record<string, unknown>).names;
    const picked = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter(
      (item): item is string => typeof item === "string",
    );
    const names = field(req.body, "scope") === "all" ? ("all" as const) : picked;
    if (names !== "all" && names.length === 0) {
      throw new BadRequestError("Choose the secrets to copy, or copy all of them.");
    }

    const replace = field(req.body, "replace") === "yes";
    const result = await copySecrets(
      deps,
      actorOf(context),
      place,
      placeOf(context, target),
      names,
      { replace },
    );

    const parts = [`Copied to ${target.name}: ${result.copied.length} added`];
    if (result.replaced.length > 0) parts.push(`${result.replaced.length} replaced`);
    if (result.leftAlone.length > 0) {
      parts.push(`${result.leftAlone.join(", ")} already there and left as they were`);
    }
    await setFlash(
      res,
      result.leftAlone.length > 0 ? "warning" : "success",
      `${parts.join("; ")}.`,
    );
    res.redirect(303, secretsPath(context, target));
  });
}
