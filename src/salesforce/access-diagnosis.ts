// What the run-as user may do with the objects the application reads: data API errors, the
// object-level permissions from describe, and the read-only promise of the integration.

import type { ResponseBody, SalesforceResponse } from "./client.ts";
import type { Diagnosis, DiagnosisContext } from "./diagnosis.ts";
import {
  describeApiUsage,
  diagnoseUnexpectedAnswer,
  fail,
  parseApiUsage,
  pass,
  quote,
  warn,
} from "./diagnosis.ts";

/** The objects the integration reads, in the order the check looks at them. */
export const READ_OBJECTS = ["Opportunity", "Account", "Contact"] as const;

export interface SalesforceApiError {
  errorCode: string;
  message: string;
}

/** Data API errors come as an array of `{ message, errorCode }`. */
export function readApiErrors(body: ResponseBody): SalesforceApiError[] {
  if (body.kind !== "json" || !Array.isArray(body.value)) return [];
  return body.value.flatMap((entry: unknown) => {
    if (typeof entry !== "object" || entry === null) return [];
    const { errorCode, message } = entry as Record<string, unknown>;
    if (typeof errorCode !== "string") return [];
    return [{ errorCode, message: typeof message === "string" ? message : "" }];
  });
}

export interface DataErrorDiagnosis extends Diagnosis {
  /** "org": every further request would fail the same way; "object": only this object. */
  scope: "org" | "object";
}

export interface DataErrorContext extends DiagnosisContext {
  objectName: string;
}

/** Maps a refused describe or count query. */
export function diagnoseDataError(
  response: SalesforceResponse,
  context: DataErrorContext,
): DataErrorDiagnosis {
  const [error] = readApiErrors(response.body);
  if (!error) return { ...diagnoseUnexpectedAnswer(response, context), scope: "org" };
  const code = `${response.status} ${error.errorCode}`;

  if (response.status === 401 || error.errorCode === "INVALID_SESSION_ID") {
    return orgWide(
      `Salesforce refused the access token it had just issued (${code}).`,
      "Add the OAuth scope Manage user data via APIs (api) to the app, and check that the " +
        "org's session settings do not lock sessions to another IP address; then test again.",
    );
  }

  if (error.errorCode === "API_DISABLED_FOR_ORG") {
    return orgWide(
      `The run-as user may not use the REST API (${code}: ${quote(error.message)}).`,
      "Give the integration user the API Enabled permission through its profile or a " +
        "permission set. If the org's edition has no API access (e.g. Essentials, or " +
        "Professional without the API add-on), the org needs it first.",
    );
  }

  if (error.errorCode === "REQUEST_LIMIT_EXCEEDED") {
    const usage = parseApiUsage(response.limitInfo);
    const numbers = usage ? ` (${describeApiUsage(usage)})` : "";
    return orgWide(
      `The org has used up its API requests for the last 24 hours${numbers}; Salesforce ` +
        `refuses every API call until usage falls (${code}).`,
      "Wait for the rolling 24-hour window to free requests, find what uses them under " +
        "Setup > System Overview, or ask Salesforce for a higher limit.",
    );
  }

  if (error.errorCode === "NOT_FOUND" || error.errorCode === "INVALID_TYPE") {
    const request = response.path.endsWith("/describe") ? "describe" : "the count query";
    return {
      ...fail(
        `The run-as user cannot see ${context.objectName} (${request} answered ${code}).`,
        readAdvice([context.objectName]),
      ),
      scope: "object",
    };
  }

  return {
    ...fail(
      `Salesforce refused to read ${context.objectName} (${code}: ${quote(error.message)}).`,
      readAdvice([context.objectName]),
    ),
    scope: "object",
  };
}

function orgWide(summary: string, advice: string): DataErrorDiagnosis {
  return { ...fail(summary, advice), scope: "org" };
}

export interface ObjectPermissions {
  queryable: boolean;
  retrieveable: boolean;
  createable: boolean;
  updateable: boolean;
  deletable: boolean;
}

/** The object-level booleans of a describe answer, or null when it is not one. */
export function readObjectPermissions(body: ResponseBody): ObjectPermissions | null {
  if (body.kind !== "json" || typeof body.value !== "object" || body.value === null) return null;
  const value = body.value as Record<string, unknown>;
  const keys = ["queryable", "retrieveable", "createable", "updateable", "deletable"] as const;
  if (!keys.every((key) => typeof value[key] === "boolean")) return null;
  return {
    queryable: value.queryable as boolean,
    retrieveable: value.retrieveable as boolean,
    createable: value.createable as boolean,
    updateable: value.updateable as boolean,
    deletable: value.deletable as boolean,
  };
}

/** The `totalSize` of a `SELECT COUNT()` answer, or null when it is not one. */
export function readRecordCount(body: ResponseBody): number | null {
  if (body.kind !== "json" || typeof body.value !== "object" || body.value === null) return null;
  const size = (body.value as Record<string, unknown>).totalSize;
  return typeof size === "number" && Number.isInteger(size) && size >= 0 ? size : null;
}

export type ObjectAccess =
  | {
      objectName: string;
      readable: true;
      recordCount: number;
      permissions: ObjectPermissions;
    }
  | { objectName: string; readable: false; diagnosis: Diagnosis };

/** Says which objects can be read and which could be changed, which a read-only user must not. */
export function diagnoseReadAccess(objects: ObjectAccess[]): Diagnosis {
  const readable = objects.filter((entry) => entry.readable);
  const unreadable = objects.filter((entry) => !entry.readable);
  const writes = diagnoseWriteAccess(readable);
  const number = new Intl.NumberFormat("en-US");
  const counted = readable.map((entry) => {
    const noun = entry.recordCount === 1 ? "record" : "records";
    return `${entry.objectName} (${number.format(entry.recordCount)} ${noun})`;
  });
  const readSentence = counted.length ? `Read access to ${list(counted)}.` : "";

  if (unreadable.length > 0) {
    const summaries = unreadable.map((entry) => entry.diagnosis.summary);
    const extra = writes.status === "warn" ? [writes.summary] : [];
    const advice = [readAdvice(unreadable.map((entry) => entry.objectName))];
    if (writes.advice) advice.push(writes.advice);
    return fail([...summaries, readSentence, ...extra].filter(Boolean).join(" "), advice.join(" "));
  }

  if (writes.status === "warn") {
    return warn(`${readSentence} ${writes.summary}`, writes.advice ?? "");
  }
  return pass(`${readSentence} No create, edit or delete access.`);
}

/** Warns for every object the run-as user could create, edit or delete. */
export function diagnoseWriteAccess(
  objects: { objectName: string; permissions: ObjectPermissions }[],
): Diagnosis {
  const findings: string[] = [];
  const names: string[] = [];
  for (const { objectName, permissions } of objects) {
    const verbs: string[] = [];
    if (permissions.createable) verbs.push("create");
    if (permissions.updateable) verbs.push("edit");
    if (permissions.deletable) verbs.push("delete");
    if (verbs.length === 0) continue;
    findings.push(`${list(verbs)} ${objectName}`);
    names.push(objectName);
  }

  if (findings.length === 0) return pass("No create, edit or delete access.");
  return warn(
    `The integration is meant to be read-only, but the run-as user can ${findings.join("; ")}.`,
    `Remove Create, Edit and Delete on ${list(names)} from the integration user's profile and ` +
      "permission sets, keeping Read, and check that it lacks Modify All Data.",
  );
}

function readAdvice(objectNames: string[]): string {
  return (
    `Give the integration user Read on ${list(objectNames)} through a permission set ` +
    "(Object Settings > Read), and test again."
  );
}

function list(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}
