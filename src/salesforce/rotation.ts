// The connection check around a change of one of the three secrets: a test of a value typed
// into Edit before it is saved, and the check after a save, whose failure leads to the page
// that offers the rollback. Secrets routes call these so their handlers stay about secrets.

import type { Actor } from "../audit/record.ts";
import type { Logger } from "../core/logger.ts";
import type { Place } from "../secrets/changes.ts";
import {
  type CheckTrigger,
  type ConnectionCheckDeps,
  MissingSalesforceSecretsError,
  runStoredCheck,
  type StoredCheck,
  type UnsavedValue,
} from "./checks.ts";

export type CheckOutcome =
  | { kind: "ran"; check: StoredCheck }
  /** A secret is not set: the message names it, and no request was sent. */
  | { kind: "missing"; message: string };

/** Runs and stores a check, turning missing secrets into an outcome instead of an error. */
export async function tryCheck(
  deps: ConnectionCheckDeps,
  actor: Actor,
  place: Place,
  trigger: CheckTrigger,
  unsaved?: UnsavedValue,
): Promise<CheckOutcome> {
  try {
    return { kind: "ran", check: await runStoredCheck(deps, actor, place, trigger, unsaved) };
  } catch (error) {
    if (!(error instanceof MissingSalesforceSecretsError)) throw error;
    return { kind: "missing", message: error.message };
  }
}

export interface AfterSave {
  kind: "success" | "warning" | "error";
  /** Added to the "saved" message; it holds no value. */
  note: string;
  /** The stored check when one ran and did not pass: the next page shows it. */
  check: StoredCheck | null;
}

/**
 * Checks the connection once a Salesforce secret was saved. The save has committed by now,
 * so a check that cannot run is reported and logged, never turned into a failed request.
 */
export async function checkAfterSave(
  deps: ConnectionCheckDeps,
  actor: Actor,
  place: Place,
  log: Logger,
): Promise<AfterSave> {
  let outcome: CheckOutcome;
  try {
    outcome = await tryCheck(deps, actor, place, "after-save");
  } catch (error) {
    // Only the name: a database error's text may quote the statement's parameters.
    log.error({ errorName: error instanceof Error ? error.name : typeof error }, "check failed");
    return {
      kind: "warning",
      note: "The connection check could not run; use Test connection to try again.",
      check: null,
    };
  }

  if (outcome.kind === "missing") {
    const note = `The connection check did not run: ${outcome.message}`;
    return { kind: "success", note, check: null };
  }
  const { check } = outcome;
  if (check.status === "pass") {
    return { kind: "success", note: "The connection check passed.", check: null };
  }
  return {
    kind: check.status === "warn" ? "warning" : "error",
    note:
      check.status === "warn"
        ? "The connection check passed with a warning."
        : "The connection check failed with the saved values.",
    check,
  };
}
