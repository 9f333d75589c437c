// The Salesforce integration pages: the setup per environment (which secrets are set, the last
// check, the checklist), Test connection, and the result of one check with its steps and, after
// a save that broke the connection, the rollback to the version that worked.

import { field } from "../accounts/forms.ts";
import { setFlash } from "../accounts/http.ts";
import type {
  ApplicationContext,
  ApplicationRoutes,
  EnvironmentSummary,
} from "../applications/access.ts";
import type { DbOrTx } from "../core/db/client.ts";
import { NotFoundError } from "../core/errors.ts";
import { actorOf, environmentBySlug, placeOf, secretPath, secretsPath } from "../secrets/place.ts";
import { listSecrets, type SecretSummary } from "../secrets/queries.ts";
import { findCheck, latestSavedCheck, rollbackOffers } from "./check-history.ts";
import {
  type ConnectionCheckDeps,
  SALESFORCE_SECRET_NAMES,
  type SalesforceSecretName,
  type StoredCheck,
} from "./checks.ts";
import { tryCheck } from "./rotation.ts";

export function integrationPath(context: ApplicationContext): string {
  return `/apps/${context.application.slug}/integrations/salesforce`;
}

/** Where Test connection posts for one environment. */
export function checkActionPath(context: ApplicationContext, environment: EnvironmentSummary) {
  return `${integrationPath(context)}/${environment.slug}/check`;
}

export function checkPath(
  context: ApplicationContext,
  environment: EnvironmentSummary,
  checkId: string,
): string {
  return `${integrationPath(context)}/${environment.slug}/checks/${checkId}`;
}

export function salesforceRoutes(routes: ApplicationRoutes, deps: ConnectionCheckDeps): void {
  const { db } = deps.database;

  routes.get("/integrations/salesforce", "viewer", async (_req, res, context) => {
    const setups = [];
    for (const environment of context.environments) {
      setups.push(await environmentSetup(db, context, environment));
    }
    res.render("salesforce/index", { title: "Salesforce", setups });
  });

  // Test connection, from this page or the Secrets tab (`from=secrets` goes back there).
  routes.post("/integrations/salesforce/:env/check", "owner", async (req, res, context) => {
    const environment = environmentBySlug(context, String(req.params.env));
    const outcome = await tryCheck(deps, actorOf(context), placeOf(context, environment), "manual");

    if (outcome.kind === "missing") {
      await setFlash(res, "error", outcome.message);
      const back =
        field(req.body, "from") === "secrets"
          ? secretsPath(context, environment)
          : integrationPath(context);
      res.redirect(303, back);
      return;
    }
    res.redirect(303, checkPath(context, environment, outcome.check.id));
  });

  routes.get(
    "/integrations/salesforce/:env/checks/:checkId",
    "viewer",
    async (req, res, context) => {
      const environment = environmentBySlug(context, String(req.params.env));
      const check = await findCheck(db, environment.id, String(req.params.checkId));
      if (!check)
        throw new NotFoundError(`There is no such connection check in ${environment.name}.`);

      const offers = await rollbackOffers(db, check);
      res.render("salesforce/check", {
        title: `Connection check · ${environment.name}`,
        environment,
        check,
        tested: testedVersions(check),
        rollbacks: offers.map((offer) => ({
          ...offer,
          action: `${secretPath(context, environment, offer.secretName)}/rollback`,
        })),
        checkAction: checkActionPath(context, environment),
        integrationPath: integrationPath(context),
        secretsPath: secretsPath(context, environment),
      });
    },
  );
}

interface SecretState {
  name: SalesforceSecretName;
  secret: SecretSummary | null;
  /** Add secret in this environment with Secret name filled in. */
  addPath: string;
  versionsPath: string;
}

/** What the integration page shows of one environment. */
async function environmentSetup(
  db: DbOrTx,
  context: ApplicationContext,
  environment: EnvironmentSummary,
) {
  const live = await listSecrets(db, environment.id);
  const secrets: SecretState[] = SALESFORCE_SECRET_NAMES.map((name) => ({
    name,
    secret: live.find((candidate) => candidate.name === name) ?? null,
    addPath: `${secretPath(context, environment)}/new?name=${name}`,
    versionsPath: `${secretPath(context, environment, name)}/versions`,
  }));
  const lastCheck = await latestSavedCheck(db, environment.id);

  return {
    environment,
    secrets,
    missing: secrets.filter((state) => !state.secret).map((state) => state.name),
    lastCheck,
    lastCheckPath: lastCheck ? checkPath(context, environment, lastCheck.id) : null,
    // The check tested other versions than the ones stored now: its outcome may be out of date.
    changedSince: lastCheck
      ? secrets.some((state) => lastCheck.versions[state.name] !== state.secret?.currentVersion)
      : false,
    checkAction: checkActionPath(context, environment),
  };
}

/** "SALESFORCE_CLIENT_ID v1", or "an unsaved value of ..." for a value tested before Save. */
function testedVersions(check: StoredCheck): { name: string; version: number }[] {
  return SALESFORCE_SECRET_NAMES.filter((name) => name in check.versions).map((name) => ({
    name,
    version: check.versions[name]!,
  }));
}
