// The connection check: tries the three Salesforce secrets of an environment step by step and
// returns a result that is safe to store and show, naming the first mistake and its fix.

import type { ObjectAccess } from "./access-diagnosis.ts";
import {
  diagnoseDataError,
  diagnoseReadAccess,
  READ_OBJECTS,
  readObjectPermissions,
  readRecordCount,
} from "./access-diagnosis.ts";
import type { SalesforceResponse } from "./client.ts";
import { readAccessToken, SalesforceClient } from "./client.ts";
import type { ApiUsage, Diagnosis, DiagnosisContext, DiagnosisStatus } from "./diagnosis.ts";
import {
  diagnoseApiUsage,
  diagnoseInstanceUrl,
  diagnoseTransportError,
  diagnoseUnexpectedAnswer,
  diagnoseVersions,
  fail,
  parseApiUsage,
  requestLabel,
} from "./diagnosis.ts";
import { SalesforceClientStateError, SalesforceTransportError } from "./errors.ts";
import { validateInstanceUrl } from "./instance-url.ts";
import { maskClientId, redact } from "./redaction.ts";
import { diagnoseCredentials, diagnoseToken } from "./token-diagnosis.ts";

export interface ConnectionCheckInput {
  clientId: string;
  clientSecret: string;
  instanceUrl: string;
}

export interface ConnectionCheckOptions {
  /** From SALESFORCE_ALLOW_INSECURE_LOOPBACK=1: lets the instance URL be a local fake. */
  allowInsecureLoopback?: boolean;
  /** Per request; defaults to the client's 10 s. */
  timeoutMs?: number;
  maxBodyBytes?: number;
  fetch?: typeof fetch;
  now?: () => Date;
}

export type StepKey = "instance-url" | "salesforce-host" | "token" | "read-access" | "api-usage";

export type StepStatus = DiagnosisStatus | "skipped";

export interface ConnectionCheckStep {
  key: StepKey;
  title: string;
  status: StepStatus;
  summary: string;
  advice?: string;
  durationMs: number;
}

export interface ConnectionCheckResult {
  status: DiagnosisStatus;
  checkedAt: string;
  durationMs: number;
  /** The instance URL as checked, once it passed validation. */
  instanceUrl: string | null;
  /** The Consumer Key shortened to its first and last four characters. */
  clientIdHint: string;
  apiVersion: string | null;
  steps: ConnectionCheckStep[];
}

export const STEP_TITLES: Record<StepKey, string> = {
  "instance-url": "Instance URL",
  "salesforce-host": "Salesforce answers",
  token: "Access token",
  "read-access": "Read access to Opportunity, Account and Contact",
  "api-usage": "API usage",
};

const STEP_ORDER: StepKey[] = [
  "instance-url",
  "salesforce-host",
  "token",
  "read-access",
  "api-usage",
];

/** Runs every step in order; after a failed step the rest are marked skipped. */
export async function runConnectionCheck(
  input: ConnectionCheckInput,
  options: ConnectionCheckOptions = {},
): Promise<ConnectionCheckResult> {
  const started = performance.now();
  const checkedAt = (options.now?.() ?? new Date()).toISOString();
  const clientIdHint = maskClientId(input.clientId);
  const allowInsecureLoopback = options.allowInsecureLoopback ?? false;
  const secrets = [input.clientSecret];

  const state: RunState = { client: null, context: null, usage: null, apiVersion: null, secrets };
  const run: Record<StepKey, () => Promise<Diagnosis>> = {
    "instance-url": async () => {
      const verdict = validateInstanceUrl(input.instanceUrl, { allowInsecureLoopback });
      if (verdict.ok) {
        state.client = new SalesforceClient({
          instanceUrl: verdict.url,
          allowInsecureLoopback,
          timeoutMs: options.timeoutMs,
          maxBodyBytes: options.maxBodyBytes,
          fetch: options.fetch,
        });
        state.context = { instanceUrl: verdict.url, allowInsecureLoopback };
      }
      return diagnoseInstanceUrl(verdict);
    },
    "salesforce-host": () => checkHost(state),
    token: () => checkToken(state, input, clientIdHint),
    "read-access": () => checkReadAccess(state),
    "api-usage": async () => diagnoseApiUsage(state.usage),
  };

  const steps: ConnectionCheckStep[] = [];
  for (const key of STEP_ORDER) {
    if (steps.some((step) => step.status === "fail")) {
      steps.push(skipped(key));
      continue;
    }
    const stepStarted = performance.now();
    const diagnosis = await run[key]().catch(unexpectedFailure);
    const durationMs = Math.round(performance.now() - stepStarted);
    steps.push({ key, title: STEP_TITLES[key], ...diagnosis, durationMs });
  }

  const result: ConnectionCheckResult = {
    status: overallStatus(steps),
    checkedAt,
    durationMs: Math.round(performance.now() - started),
    instanceUrl: state.context?.instanceUrl ?? null,
    clientIdHint,
    apiVersion: state.apiVersion,
    steps,
  };
  return redact(result, {
    secrets: state.secrets,
    masks: [{ value: input.clientId.trim(), replacement: clientIdHint }],
  });
}

interface RunState {
  client: SalesforceClient | null;
  context: DiagnosisContext | null;
  /** The newest API usage any answer reported. */
  usage: ApiUsage | null;
  apiVersion: string | null;
  /** Values no text in the result may hold: the Consumer Secret, then the access token. */
  secrets: string[];
}

function ready(state: RunState): { client: SalesforceClient; context: DiagnosisContext } {
  if (!state.client || !state.context) {
    throw new SalesforceClientStateError("connection check steps ran out of order");
  }
  return { client: state.client, context: state.context };
}

async function checkHost(state: RunState): Promise<Diagnosis> {
  const { client, context } = ready(state);
  const response = await send(state, "GET /services/data/", () => client.getVersions());
  if (!("status" in response)) return response.diagnosis;

  const diagnosis = diagnoseVersions(response, context);
  if (diagnosis.apiVersion) {
    client.useApiVersion(diagnosis.apiVersion);
    state.apiVersion = diagnosis.apiVersion;
  }
  const { apiVersion: _, ...rest } = diagnosis;
  return rest;
}

async function checkToken(
  state: RunState,
  input: ConnectionCheckInput,
  clientIdHint: string,
): Promise<Diagnosis> {
  const { client, context } = ready(state);
  const refused = diagnoseCredentials(input.clientId, input.clientSecret);
  if (refused) return refused;

  const response = await send(state, "POST /services/oauth2/token", () =>
    client.requestToken(input.clientId, input.clientSecret),
  );
  if (!("status" in response)) return response.diagnosis;
  return diagnoseToken(response, { ...context, clientIdHint });
}

async function checkReadAccess(state: RunState): Promise<Diagnosis> {
  const objects: ObjectAccess[] = [];
  for (const objectName of READ_OBJECTS) {
    const access = await readObject(state, objectName);
    if ("orgWide" in access) return access.orgWide;
    objects.push(access);
  }
  return diagnoseReadAccess(objects);
}

type ObjectOutcome = ObjectAccess | { orgWide: Diagnosis };

async function readObject(state: RunState, objectName: string): Promise<ObjectOutcome> {
  const { client, context } = ready(state);
  const dataPath = `/services/data/v${client.apiVersion}`;
  const described = await send(state, `GET ${dataPath}/sobjects/${objectName}/describe`, () =>
    client.describe(objectName),
  );
  if (!("status" in described)) return { orgWide: described.diagnosis };
  if (described.status !== 200) return refusedObject(described, { ...context, objectName });

  const permissions = readObjectPermissions(described.body);
  if (!permissions) return { orgWide: notTheAnswer(described, context, "a describe") };
  if (!permissions.queryable || !permissions.retrieveable) {
    const diagnosis = fail(
      `The run-as user cannot query ${objectName} (describe says it is not queryable).`,
      `Give the integration user Read on ${objectName} through a permission set, and test again.`,
    );
    return { objectName, readable: false, diagnosis };
  }

  const countLabel = `GET ${dataPath}/query (SELECT COUNT() FROM ${objectName})`;
  const counted = await send(state, countLabel, () => client.count(objectName));
  if (!("status" in counted)) return { orgWide: counted.diagnosis };
  if (counted.status !== 200) return refusedObject(counted, { ...context, objectName });

  const recordCount = readRecordCount(counted.body);
  if (recordCount === null) return { orgWide: notTheAnswer(counted, context, "a record count") };
  return { objectName, readable: true, recordCount, permissions };
}

function refusedObject(
  response: SalesforceResponse,
  context: DiagnosisContext & { objectName: string },
): ObjectOutcome {
  const { scope, ...diagnosis } = diagnoseDataError(response, context);
  if (scope === "org") return { orgWide: diagnosis };
  return { objectName: context.objectName, readable: false, diagnosis };
}

function notTheAnswer(
  response: SalesforceResponse,
  context: DiagnosisContext,
  expected: string,
): Diagnosis {
  if (response.body.kind !== "json") return diagnoseUnexpectedAnswer(response, context);
  return fail(
    `${requestLabel(response)} answered 200 but not with ${expected}.`,
    "The host does not answer like Salesforce. Check that SALESFORCE_INSTANCE_URL is the " +
      "org's My Domain URL.",
  );
}

/**
 * Sends one request and prepares its answer for diagnosis: notes API usage, learns the access
 * token, and strips every known credential from the body before any text is copied from it.
 */
async function send(
  state: RunState,
  label: string,
  request: () => Promise<SalesforceResponse>,
): Promise<SalesforceResponse | { diagnosis: Diagnosis }> {
  let response: SalesforceResponse;
  try {
    response = await request();
  } catch (error) {
    if (!(error instanceof SalesforceTransportError)) throw error;
    return { diagnosis: diagnoseTransportError(error, label) };
  }

  const usage = parseApiUsage(response.limitInfo);
  if (usage) state.usage = usage;
  const token = readAccessToken(response);
  if (token) state.secrets.push(token);
  return redact(response, { secrets: state.secrets });
}

function skipped(key: StepKey): ConnectionCheckStep {
  return {
    key,
    title: STEP_TITLES[key],
    status: "skipped",
    summary: "Skipped because an earlier step failed.",
    durationMs: 0,
  };
}

// A bug in the check must not surface its raw message, which could hold anything.
function unexpectedFailure(error: unknown): Diagnosis {
  const name = error instanceof Error ? error.name : typeof error;
  return fail(
    `The check stopped on an unexpected error (${name}).`,
    "Run the check again; if it keeps failing, report it to the console's maintainers.",
  );
}

function overallStatus(steps: ConnectionCheckStep[]): DiagnosisStatus {
  if (steps.some((step) => step.status === "fail")) return "fail";
  if (steps.some((step) => step.status === "warn")) return "warn";
  return "pass";
}
