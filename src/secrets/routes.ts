// The Secrets tab and the pages of one secret: Add secret, Edit, versions and rollback,
// Delete with its confirmation, and the environment's deleted secrets with Restore. Values
// are write-only here: pages show names, versions, times and people, never a value.

import { field, queryParam } from "../accounts/forms.ts";
import { setFlash } from "../accounts/http.ts";
import type { ApplicationRoutes, EnvironmentSummary } from "../applications/access.ts";
import type { Tx } from "../core/db/client.ts";
import { BadRequestError, NotFoundError } from "../core/errors.ts";
import { dependentsByName, dependentsOf } from "../features/dependents.ts";
import { type ConnectionCheckDeps, isSalesforceSecret } from "../salesforce/checks.ts";
import { checkAfterSave, tryCheck } from "../salesforce/rotation.ts";
import { checkPath } from "../salesforce/routes.ts";
import {
  addSecretIn,
  deleteSecret,
  editSecret,
  restoreSecret,
  rollbackSecret,
  type SecretsDeps,
} from "./changes.ts";
import { SecretExistsError, StaleVersionError } from "./errors.ts";
import { checkSecretName } from "./names.ts";
import {
  chosenEnvironments,
  renderAdd,
  renderConflict,
  renderDelete,
  renderEdit,
} from "./pages.ts";
import {
  actorOf,
  environmentBySlug,
  placeOf,
  routePlace,
  routeSecretName,
  secretPath,
  secretsPath,
  versionField,
} from "./place.ts";
import {
  findLiveSecret,
  listApplicationSecrets,
  listDeletedSecrets,
  listSecrets,
  listVersions,
  RESTORE_DAYS,
} from "./queries.ts";
import { checkSecretValue } from "./value-checks.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function secretRoutes(
  routes: ApplicationRoutes,
  deps: SecretsDeps & { connectionChecks: ConnectionCheckDeps },
): void {
  const { database } = deps;
  const checks = deps.connectionChecks;

  routes.get("/configuration/secrets", "viewer", async (req, res, context) => {
    const wanted = queryParam(req.query, "environment");
    const environment = wanted ? environmentBySlug(context, wanted) : context.environments[0];
    if (!environment) throw new NotFoundError(`${context.application.name} has no environments.`);

    res.render("secrets/index", {
      title: `Secrets · ${environment.name}`,
      environment,
      secrets: await listSecrets(database.db, environment.id),
      dependents: await dependentsByName(database.db, environment.id),
      restoreDays: RESTORE_DAYS,
    });
  });

  routes.get("/configuration/secrets/overview", "viewer", async (_req, res, context) => {
    const rows = await listApplicationSecrets(database.db, context.application.id);
    const names = [...new Set(rows.map((row) => row.name))].sort();
    const cell = new Map(rows.map((row) => [`${row.environmentId}/${row.name}`, row]));
    res.render("secrets/overview", {
      title: "Secrets overview",
      names,
      cell: (environmentId: string, name: string) => cell.get(`${environmentId}/${name}`),
    });
  });

  // Add secret: Secret name, Value, and the environments to add it to.
  routes.get("/configuration/secrets/:env/new", "owner", (req, res, context) => {
    const { environment } = routePlace(req, context);
    const typedName = queryParam(req.query, "name");
    renderAdd(res, context, environment, { chosen: [environment.slug], typedName });
  });

  routes.post("/configuration/secrets/:env", "owner", async (req, res, context) => {
    const { environment } = routePlace(req, context);
    const typedName = field(req.body, "name");
    const value = field(req.body, "value");
    const chosen = chosenEnvironments(req.body, environment);
    const errors: Record<string, string> = {};

    const name = checkSecretName(typedName);
    if (!name.ok) {
      errors.name = name.suggestion
        ? `${name.message} Did you mean ${name.suggestion}?`
        : name.message;
    }
    const valueCheck = checkSecretValue(value);
    if (!valueCheck.ok) errors.value = valueCheck.message;
    const targets = context.environments.filter((candidate) => chosen.includes(candidate.slug));
    if (targets.length === 0) errors.environments = "Choose at least one environment.";

    if (!name.ok || !valueCheck.ok || targets.length === 0) {
      renderAdd(res, context, environment, { status: 400, typedName, chosen, errors });
      return;
    }

    try {
      await database.db.transaction(async (tx: Tx) => {
        for (const target of targets) {
          await addSecretIn(
            tx,
            deps.keyring,
            actorOf(context),
            placeOf(context, target),
            name.name,
            value,
          );
        }
      });
    } catch (error) {
      if (!(error instanceof SecretExistsError)) throw error;
      const existing = targets.find((target) => target.name === error.environmentName)!;
      renderAdd(res, context, environment, {
        status: 409,
        typedName: name.name,
        chosen,
        errors: { name: error.message },
        existing: { name: name.name, environment: existing },
      });
      return;
    }

    const where = targets.map((target) => target.name).join(" and ");
    const notes = [
      ...(name.changed ? [`The name was saved as ${name.name}.`] : []),
      ...valueCheck.warnings,
    ];
    await setFlash(
      res,
      notes.length > 0 ? "warning" : "success",
      [`${name.name} saved in ${where}.`, ...notes].join(" "),
    );
    res.redirect(303, secretsPath(context, environment));
  });

  // Edit: a new value becomes the next version, if nobody saved since the form was opened.
  routes.get("/configuration/secrets/:env/:name/edit", "owner", async (req, res, context) => {
    const { environment } = routePlace(req, context);
    const secret = await requireSecret(environment, routeSecretName(req));
    await renderEdit(database.db, res, context, environment, secret);
  });

  // Save, or (for a Salesforce secret) "Test with this value": the check runs with the typed
  // value in place of the stored one and nothing is saved; the value is never sent back.
  routes.post("/configuration/secrets/:env/:name", "owner", async (req, res, context) => {
    const { environment, place } = routePlace(req, context);
    const secret = await requireSecret(environment, routeSecretName(req));
    const value = field(req.body, "value");
    const version = versionField(field(req.body, "version"));
    if (version === null) throw new BadRequestError("The form was incomplete. Open Edit again.");
    const testing = field(req.body, "intent") === "test";
    if (testing && !isSalesforceSecret(secret.name)) {
      throw new BadRequestError("Only the Salesforce secrets can be tested before saving.");
    }

    const valueCheck = checkSecretValue(value);
    if (!valueCheck.ok) {
      await renderEdit(database.db, res, context, environment, secret, {
        status: 400,
        errors: { value: valueCheck.message },
        version,
      });
      return;
    }

    if (testing && isSalesforceSecret(secret.name)) {
      const unsaved = { name: secret.name, value };
      const test = await tryCheck(checks, actorOf(context), place, "unsaved-value", unsaved);
      await renderEdit(database.db, res, context, environment, secret, { version, test });
      return;
    }

    let saved: number;
    try {
      saved = await editSecret(deps, actorOf(context), place, secret.name, value, version);
    } catch (error) {
      if (!(error instanceof StaleVersionError)) throw error;
      renderConflict(res, context, environment, error);
      return;
    }

    const after = isSalesforceSecret(secret.name)
      ? await checkAfterSave(checks, actorOf(context), place, req.log)
      : null;
    const warned = valueCheck.warnings.length > 0 ? "warning" : "success";
    const notes = [...valueCheck.warnings, ...(after ? [after.note] : [])];
    const kind = after && after.kind !== "success" ? after.kind : warned;
    const text = [`${secret.name} saved in ${environment.name} as version ${saved}.`, ...notes];
    await setFlash(res, kind, text.join(" "));
    // A check that did not pass opens its result, where a rollback is offered if one helps.
    const next = after?.check ? checkPath(context, environment, after.check.id) : null;
    res.redirect(303, next ?? secretsPath(context, environment));
  });

  routes.get("/configuration/secrets/:env/:name/versions", "viewer", async (req, res, context) => {
    const { environment } = routePlace(req, context);
    const secret = await requireSecret(environment, routeSecretName(req));
    res.render("secrets/versions", {
      title: `${secret.name} · versions`,
      environment,
      secret,
      versions: await listVersions(database.db, secret.id),
      path: secretPath(context, environment, secret.name),
    });
  });

  routes.post("/configuration/secrets/:env/:name/rollback", "owner", async (req, res, context) => {
    const { environment, place } = routePlace(req, context);
    const secret = await requireSecret(environment, routeSecretName(req));
    const target = versionField(field(req.body, "to"));
    const expected = versionField(field(req.body, "version"));
    if (target === null || expected === null) {
      throw new BadRequestError("Choose a version to roll back to.");
    }

    try {
      const saved = await rollbackSecret(
        deps,
        actorOf(context),
        place,
        secret.name,
        target,
        expected,
      );
      await setFlash(
        res,
        "success",
        `${secret.name} in ${environment.name} rolled back to the value of version ${target}, ` +
          `saved as version ${saved}.`,
      );
      res.redirect(303, secretsPath(context, environment));
    } catch (error) {
      if (!(error instanceof StaleVersionError)) throw error;
      renderConflict(res, context, environment, error);
    }
  });

  // Delete: More options, Delete, a confirmation page, then OK.
  routes.get("/configuration/secrets/:env/:name/delete", "owner", async (req, res, context) => {
    const { environment } = routePlace(req, context);
    const secret = await requireSecret(environment, routeSecretName(req));
    renderDelete(res, context, environment, secret, {
      dependents: await dependentsOf(database.db, environment.id, secret.name),
    });
  });

  routes.post("/configuration/secrets/:env/:name/delete", "owner", async (req, res, context) => {
    const { environment, place } = routePlace(req, context);
    const secret = await requireSecret(environment, routeSecretName(req));
    const version = versionField(field(req.body, "version"));
    if (version === null) throw new BadRequestError("The form was incomplete. Open Delete again.");

    // Something read this secret lately: deleting it needs its name typed, not just OK.
    const dependents = await dependentsOf(database.db, environment.id, secret.name);
    if (dependents.readRecently && field(req.body, "confirmName").trim() !== secret.name) {
      renderDelete(res, context, environment, secret, {
        dependents,
        status: 400,
        errors: { confirmName: `Type ${secret.name} to confirm; it was read recently.` },
      });
      return;
    }

    try {
      await deleteSecret(deps, actorOf(context), place, secret.name, version);
    } catch (error) {
      if (!(error instanceof StaleVersionError)) throw error;
      renderConflict(res, context, environment, error);
      return;
    }
    await setFlash(
      res,
      "success",
      `${secret.name} deleted from ${environment.name}. It can be restored from Deleted ` +
        `secrets for ${RESTORE_DAYS} days.`,
    );
    res.redirect(303, secretsPath(context, environment));
  });

  routes.get("/configuration/secrets/:env/deleted", "viewer", async (req, res, context) => {
    const { environment } = routePlace(req, context);
    res.render("secrets/deleted", {
      title: `Deleted secrets · ${environment.name}`,
      environment,
      deleted: await listDeletedSecrets(database.db, environment.id),
      restoreDays: RESTORE_DAYS,
      path: secretPath(context, environment),
    });
  });

  routes.post(
    "/configuration/secrets/:env/deleted/:secretId/restore",
    "owner",
    async (req, res, context) => {
      const { environment, place } = routePlace(req, context);
      const secretId = String(req.params.secretId);
      if (!UUID.test(secretId)) throw new NotFoundError("That deleted secret does not exist.");

      const name = await restoreSecret(deps, actorOf(context), place, secretId);
      await setFlash(res, "success", `${name} restored in ${environment.name}.`);
      res.redirect(303, secretsPath(context, environment));
    },
  );

  async function requireSecret(environment: EnvironmentSummary, name: string) {
    const secret = await findLiveSecret(database.db, environment.id, name);
    if (!secret) throw new NotFoundError(`There is no secret ${name} in ${environment.name}.`);
    return secret;
  }
}
