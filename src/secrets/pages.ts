// The pages of one secret as the routes render them: Add secret, Edit, the delete
// confirmation and the conflict page. Kept apart from the routes so each stays readable.

import type { Response } from "express";
import type { ApplicationContext, EnvironmentSummary } from "../applications/access.ts";
import type { DbOrTx } from "../core/db/client.ts";
import { type Dependents, dependentsOf } from "../features/dependents.ts";
import { isSalesforceSecret } from "../salesforce/checks.ts";
import type { CheckOutcome } from "../salesforce/rotation.ts";
import type { StaleVersionError } from "./errors.ts";
import { secretPath, secretsPath } from "./place.ts";
import { RESTORE_DAYS } from "./queries.ts";

export function chosenEnvironments(body: unknown, current: EnvironmentSummary): string[] {
  const form = body as Record<string, unknown> | undefined;
  const raw = form?.environments;
  // The form marks that it offered the boxes: then none ticked means none, not "this one".
  if (raw === undefined) return form?.environmentsOffered === "1" ? [] : [current.slug];
  const list = Array.isArray(raw) ? raw : [raw];
  return list.filter((item): item is string => typeof item === "string");
}

interface AddView {
  status?: number;
  typedName?: string;
  chosen: string[];
  errors?: Record<string, string>;
  existing?: { name: string; environment: EnvironmentSummary };
}

export function renderAdd(
  res: Response,
  context: ApplicationContext,
  environment: EnvironmentSummary,
  view: AddView,
) {
  res.status(view.status ?? 200).render("secrets/add", {
    title: "Add secret",
    environment,
    values: { name: view.typedName ?? "" },
    chosen: view.chosen,
    errors: view.errors ?? {},
    existing: view.existing
      ? {
          name: view.existing.name,
          environment: view.existing.environment.name,
          editPath: `${secretPath(context, view.existing.environment, view.existing.name)}/edit`,
        }
      : null,
    action: secretPath(context, environment),
    cancel: secretsPath(context, environment),
  });
}

export async function renderEdit(
  db: DbOrTx,
  res: Response,
  context: ApplicationContext,
  environment: EnvironmentSummary,
  secret: { name: string; currentVersion: number; updatedAt: Date; updatedBy: string | null },
  view: {
    status?: number;
    errors?: Record<string, string>;
    version?: number;
    /** The result of "Test with this value", for a Salesforce secret. */
    test?: CheckOutcome;
  } = {},
) {
  res.status(view.status ?? 200).render("secrets/edit", {
    title: `Edit ${secret.name}`,
    environment,
    secret,
    version: view.version ?? secret.currentVersion,
    errors: view.errors ?? {},
    salesforce: isSalesforceSecret(secret.name),
    test: view.test ?? null,
    // Who receives the new value: the same list as the delete confirmation, shorter.
    dependents: await dependentsOf(db, environment.id, secret.name),
    path: secretPath(context, environment, secret.name),
    cancel: secretsPath(context, environment),
  });
}

export function renderDelete(
  res: Response,
  context: ApplicationContext,
  environment: EnvironmentSummary,
  secret: { name: string; currentVersion: number },
  view: { dependents: Dependents; status?: number; errors?: Record<string, string> },
) {
  res.status(view.status ?? 200).render("secrets/delete", {
    title: `Delete ${secret.name}`,
    environment,
    secret,
    dependents: view.dependents,
    errors: view.errors ?? {},
    restoreDays: RESTORE_DAYS,
    path: secretPath(context, environment, secret.name),
    cancel: secretsPath(context, environment),
  });
}

export function renderConflict(
  res: Response,
  context: ApplicationContext,
  environment: EnvironmentSummary,
  error: StaleVersionError,
) {
  res.status(409).render("secrets/conflict", {
    title: "Changed by someone else",
    environment,
    conflict: error,
    editPath: `${secretPath(context, environment, error.secretName)}/edit`,
    versionsPath: `${secretPath(context, environment, error.secretName)}/versions`,
  });
}
