// Connection checks as the console runs them: the environment's three Salesforce secrets are
// decrypted on the server, checked, and the result is stored and audited with who ran it and
// which versions it tested. Values go to Salesforce only; what is stored is the safe result.

import { registerAuditSentence } from "../audit/describe.ts";
import type { Actor } from "../audit/record.ts";
import { recordAudit } from "../audit/record.ts";
import type { Database } from "../core/db/client.ts";
import { ConflictError } from "../core/errors.ts";
import type { Keyring } from "../crypto/keyring.ts";
import type { Place } from "../secrets/changes.ts";
import { listSecrets, readCurrentValues } from "../secrets/queries.ts";
import type { ConnectionCheckOptions, ConnectionCheckResult } from "./connection-check.ts";
import { runConnectionCheck } from "./connection-check.ts";
import type { DiagnosisStatus } from "./diagnosis.ts";
import { type CHECK_TRIGGERS, connectionChecks } from "./tables.ts";

/** The secrets the integration reads, in the order an owner adds them. */
export const SALESFORCE_SECRET_NAMES = [
  "SALESFORCE_CLIENT_ID",
  "SALESFORCE_CLIENT_SECRET",
  "SALESFORCE_INSTANCE_URL",
] as const;

export type SalesforceSecretName = (typeof SALESFORCE_SECRET_NAMES)[number];

export type CheckTrigger = (typeof CHECK_TRIGGERS)[number];

export const CHECK_AUDIT_ACTION = "salesforce.connection_checked";

export function isSalesforceSecret(name: string): name is SalesforceSecretName {
  return (SALESFORCE_SECRET_NAMES as readonly string[]).includes(name);
}

/** Some of the three secrets are not set, so the check cannot start; nothing was sent. */
export class MissingSalesforceSecretsError extends ConflictError {
  constructor(
    readonly missing: SalesforceSecretName[],
    readonly environmentName: string,
  ) {
    const one = missing.length === 1;
    super(
      `${listNames(missing)} ${one ? "is" : "are"} not set in ${environmentName}. ` +
        `Add ${one ? "it" : "them"}, then test the connection; no request was sent to ` +
        "Salesforce.",
    );
    this.name = "MissingSalesforceSecretsError";
  }
}

export interface ConnectionCheckDeps {
  database: Database;
  keyring: Keyring;
  /** From SALESFORCE_ALLOW_INSECURE_LOOPBACK: lets the instance URL be a local fake. */
  allowInsecureLoopback: boolean;
  /** Passed on to the check; tests shorten the timeout or count requests. */
  check?: Pick<ConnectionCheckOptions, "timeoutMs" | "fetch">;
}

/** A value typed into Edit and not saved, tested in place of the stored one. */
export interface UnsavedValue {
  name: SalesforceSecretName;
  value: string;
}

export interface StoredCheck {
  id: string;
  environmentId: string;
  ranByName: string;
  ranAt: Date;
  status: DiagnosisStatus;
  trigger: CheckTrigger;
  /** The version of each secret tested; 0 for an unsaved value. */
  versions: Record<string, number>;
  result: ConnectionCheckResult;
}

/**
 * Runs the connection check with the environment's current values (one of them replaced by
 * `unsaved` when given), then stores and audits the result in one transaction. Throws
 * MissingSalesforceSecretsError, before any request, when a secret is not set.
 */
export async function runStoredCheck(
  deps: ConnectionCheckDeps,
  actor: Actor,
  place: Place,
  trigger: CheckTrigger,
  unsaved?: UnsavedValue,
): Promise<StoredCheck> {
  const { values, versions } = await readCredentials(deps, place, unsaved);

  const result = await runConnectionCheck(
    {
      clientId: values.SALESFORCE_CLIENT_ID,
      clientSecret: values.SALESFORCE_CLIENT_SECRET,
      instanceUrl: values.SALESFORCE_INSTANCE_URL,
    },
    { allowInsecureLoopback: deps.allowInsecureLoopback, ...deps.check },
  );

  return deps.database.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(connectionChecks)
      .values({
        applicationId: place.application.id,
        environmentId: place.environment.id,
        ranBy: actor.id,
        ranByName: actor.name,
        status: result.status,
        trigger,
        versions,
        result,
      })
      .returning();
    await recordAudit(tx, actor, {
      applicationId: place.application.id,
      action: CHECK_AUDIT_ACTION,
      environment: place.environment,
      secretName: unsaved?.name ?? null,
      detail: { status: result.status, trigger, ...versions },
    });
    return toStoredCheck(row!);
  });
}

/** A row of connection_checks as the rest of the code reads it. */
export function toStoredCheck(row: typeof connectionChecks.$inferSelect): StoredCheck {
  return {
    id: row.id,
    environmentId: row.environmentId,
    ranByName: row.ranByName,
    ranAt: row.ranAt,
    status: row.status,
    trigger: row.trigger,
    versions: row.versions,
    result: row.result as ConnectionCheckResult,
  };
}

type Credentials = Record<SalesforceSecretName, string>;

/**
 * The values to test and their versions, read in one snapshot so that a save landing between
 * the two reads cannot pair one version's number with another version's value.
 */
async function readCredentials(
  deps: ConnectionCheckDeps,
  place: Place,
  unsaved: UnsavedValue | undefined,
): Promise<{ values: Credentials; versions: Record<string, number> }> {
  const environment = { id: place.environment.id, applicationId: place.application.id };
  const { stored, live } = await deps.database.db.transaction(
    async (tx) => ({
      stored: await readCurrentValues(tx, deps.keyring, environment, SALESFORCE_SECRET_NAMES),
      live: await listSecrets(tx, place.environment.id),
    }),
    { isolationLevel: "repeatable read", accessMode: "read only" },
  );

  const values: Partial<Credentials> = {};
  const versions: Record<string, number> = {};
  const missing: SalesforceSecretName[] = [];
  for (const name of SALESFORCE_SECRET_NAMES) {
    if (unsaved?.name === name) {
      values[name] = unsaved.value;
      versions[name] = 0;
      continue;
    }
    const value = stored.get(name);
    const secret = live.find((candidate) => candidate.name === name);
    if (value === undefined || !secret) {
      missing.push(name);
      continue;
    }
    values[name] = value;
    versions[name] = secret.currentVersion;
  }

  if (missing.length > 0) throw new MissingSalesforceSecretsError(missing, place.environment.name);
  return { values: values as Credentials, versions };
}

/** "A", "A and B", "A, B and C". */
export function listNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

const TRIGGER_WORDS: Record<CheckTrigger, string> = {
  manual: "",
  "after-save": " after a save",
  "unsaved-value": " with an unsaved value",
};

registerAuditSentence(CHECK_AUDIT_ACTION, (event) => {
  const status = String(event.detail?.status ?? "");
  const trigger = TRIGGER_WORDS[event.detail?.trigger as CheckTrigger] ?? "";
  const tested = event.secretName ? ` of ${event.secretName}` : "";
  return `ran a Salesforce connection check${trigger}${tested}: ${status}`;
});
