// Pure mappings from what Salesforce (or something pretending to be it) answered to a cause and a
// fix an owner can act on. No I/O here, so each mapping is tested on its own.

import type { ResponseBody, SalesforceResponse } from "./client.ts";
import { newestApiVersion } from "./client.ts";
import {
  SalesforceResponseTooLargeError,
  SalesforceTimeoutError,
  SalesforceUnreachableError,
} from "./errors.ts";
import type { InstanceUrlVerdict } from "./instance-url.ts";
import { validateInstanceUrl } from "./instance-url.ts";

export type DiagnosisStatus = "pass" | "warn" | "fail";

export interface Diagnosis {
  status: DiagnosisStatus;
  summary: string;
  advice?: string;
}

export interface DiagnosisContext {
  /** The validated instance URL the request went to. */
  instanceUrl: string;
  allowInsecureLoopback?: boolean;
}

const MY_DOMAIN_ADVICE =
  "Copy the org's My Domain URL from Setup > My Domain (Current My Domain URL), e.g. " +
  "https://yourcompany.my.salesforce.com, and save it as SALESFORCE_INSTANCE_URL.";

export function pass(summary: string): Diagnosis {
  return { status: "pass", summary };
}

export function warn(summary: string, advice: string): Diagnosis {
  return { status: "warn", summary, advice };
}

export function fail(summary: string, advice: string): Diagnosis {
  return { status: "fail", summary, advice };
}

export function diagnoseInstanceUrl(verdict: InstanceUrlVerdict): Diagnosis {
  if (verdict.ok) return pass(`${verdict.url} is a valid instance URL (${orgLabel(verdict)}).`);
  const advice = verdict.suggestedUrl
    ? `Save ${verdict.suggestedUrl} as SALESFORCE_INSTANCE_URL.`
    : MY_DOMAIN_ADVICE;
  return fail(verdict.message, advice);
}

function orgLabel(verdict: Extract<InstanceUrlVerdict, { ok: true }>): string {
  const labels: Record<typeof verdict.orgKind, string> = {
    production: "production My Domain",
    sandbox: "sandbox My Domain",
    "developer-edition": "Developer Edition My Domain",
    demo: "demo org My Domain",
    patch: "patch org My Domain",
    scratch: "scratch org My Domain",
    trailblaze: "Trailhead Playground My Domain",
    government: "Government Cloud My Domain",
    loopback: "local test server",
  };
  return labels[verdict.orgKind];
}

/** Maps an error thrown by the client (timeout, unreachable host, oversized answer). */
export function diagnoseTransportError(error: unknown, request: string): Diagnosis {
  if (error instanceof SalesforceTimeoutError) {
    return fail(
      `${request} got no complete answer from ${error.host} within ${seconds(error.timeoutMs)}.`,
      "Salesforce may be slow or in maintenance, or a firewall may be holding the connection. " +
        "Try again in a few minutes; if it keeps timing out, check that SALESFORCE_INSTANCE_URL " +
        "is the org's My Domain URL and that this server may reach it.",
    );
  }

  if (error instanceof SalesforceResponseTooLargeError) {
    return fail(
      `${request} got an answer from ${error.host} larger than ${kib(error.limitBytes)}; ` +
        "Salesforce's answers to it are a few kilobytes, so reading stopped there.",
      `The host does not behave like the Salesforce API. ${MY_DOMAIN_ADVICE}`,
    );
  }

  if (error instanceof SalesforceUnreachableError) {
    const causes: Record<typeof error.reason, string> = {
      dns: `${error.host} does not exist (no DNS record).`,
      refused: `${error.host} refused the connection.`,
      reset: `${error.host} dropped the connection before answering.`,
      tls: `${error.host} did not present a valid TLS certificate.`,
      other: `${error.host} could not be reached.`,
    };
    const advice =
      error.reason === "dns"
        ? `Check the spelling of the My Domain name. ${MY_DOMAIN_ADVICE}`
        : `Check that SALESFORCE_INSTANCE_URL is the org's My Domain URL and that this server ` +
          "may open connections to it; then try again.";
    return fail(`${request} failed: ${causes[error.reason]}`, advice);
  }

  return fail(
    `${request} failed before Salesforce answered.`,
    "Try again; if it persists, check the instance URL and this server's network access.",
  );
}

/**
 * Maps an answer that is none of the expected ones for a request: a redirect, an outage page,
 * broken JSON, a web page, or a status nobody expects there.
 */
export function diagnoseUnexpectedAnswer(
  response: SalesforceResponse,
  context: DiagnosisContext,
): Diagnosis {
  const request = requestLabel(response);
  if (response.status >= 300 && response.status < 400) return diagnoseRedirect(response, context);

  if (response.status >= 500) {
    const page = looksLikeWebPage(response) ? " with a web page instead of JSON" : "";
    return fail(
      `${request} answered ${statusLine(response.status)}${page}.`,
      "Salesforce may be in maintenance or having an incident: check status.salesforce.com " +
        "for the org's instance and try again later. If it persists while Salesforce reports " +
        "no incident, a proxy may stand in front of the host; check SALESFORCE_INSTANCE_URL.",
    );
  }

  if (response.body.kind === "invalid-json") {
    return fail(
      `${request} answered ${response.status} with JSON that could not be read.`,
      "The answer was damaged on the way or did not come from Salesforce. Try again; if it " +
        "persists, check that SALESFORCE_INSTANCE_URL points straight at the org's My Domain.",
    );
  }

  if (looksLikeWebPage(response)) {
    return fail(
      `${request} answered ${response.status} with a web page, not the Salesforce API.`,
      `The host does not serve the Salesforce API. ${MY_DOMAIN_ADVICE}`,
    );
  }

  return fail(
    `${request} answered ${statusLine(response.status)}, which Salesforce does not send there.`,
    `Check that the host is the org's Salesforce My Domain. ${MY_DOMAIN_ADVICE}`,
  );
}

/** A redirect is reported, never followed: following one would carry credentials elsewhere. */
export function diagnoseRedirect(
  response: SalesforceResponse,
  context: DiagnosisContext,
): Diagnosis {
  const request = requestLabel(response);
  const notFollowed = "The check did not follow it, so no credentials were sent there.";
  const target = response.location ? resolveOrigin(response.location, context.instanceUrl) : null;
  if (!target) {
    return fail(
      `${request} answered with a redirect (${response.status}) but named no valid target.`,
      MY_DOMAIN_ADVICE,
    );
  }

  const targetHost = new URL(target).host;
  const verdict = validateInstanceUrl(target, {
    allowInsecureLoopback: context.allowInsecureLoopback ?? false,
  });
  const sameOrigin = target === new URL(context.instanceUrl).origin;

  if (verdict.ok && !sameOrigin) {
    return fail(
      `${request} was redirected (${response.status}) to ${targetHost}: the instance URL is ` +
        "an alias of the org (such as its Lightning address), not its My Domain. A token " +
        `request that follows a redirect loses its form body. ${notFollowed}`,
      `Save ${verdict.url} as SALESFORCE_INSTANCE_URL.`,
    );
  }

  if (sameOrigin) {
    return fail(
      `${request} was redirected (${response.status}) to another page of the same host, ` +
        "which the Salesforce API does not do.",
      `Check that the host is the org's Salesforce My Domain. ${MY_DOMAIN_ADVICE}`,
    );
  }

  return fail(
    `${request} was redirected (${response.status}) to ${targetHost}, which is not a ` +
      `Salesforce My Domain host. ${notFollowed}`,
    MY_DOMAIN_ADVICE,
  );
}

export interface VersionsDiagnosis extends Diagnosis {
  /** The newest API version offered, e.g. "67.0", when the host answered like Salesforce. */
  apiVersion?: string;
}

/** Judges `GET /services/data/`: Salesforce lists its API versions there without a token. */
export function diagnoseVersions(
  response: SalesforceResponse,
  context: DiagnosisContext,
): VersionsDiagnosis {
  if (response.status !== 200 || response.body.kind !== "json") {
    if (response.status === 200 && response.body.kind !== "invalid-json") {
      return notSalesforce(response);
    }
    return diagnoseUnexpectedAnswer(response, context);
  }

  const newest = newestApiVersion(response.body.value);
  if (!newest) return notSalesforce(response);
  const label = newest.label ? ` (${newest.label})` : "";
  return {
    ...pass(`The host answers like Salesforce; newest REST API version ${newest.version}${label}.`),
    apiVersion: newest.version,
  };
}

function notSalesforce(response: SalesforceResponse): Diagnosis {
  return fail(
    `${requestLabel(response)} answered, but not with Salesforce's list of API versions: ` +
      "the host is not a Salesforce org.",
    MY_DOMAIN_ADVICE,
  );
}

export interface ApiUsage {
  used: number;
  limit: number;
}

/** Reads `api-usage=N/M` from a Sforce-Limit-Info header, which may list other counters too. */
export function parseApiUsage(header: string | null): ApiUsage | null {
  if (!header) return null;
  const match = /(?:^|[,;\s])api-usage=(\d+)\/(\d+)/.exec(header);
  if (!match) return null;
  const used = Number(match[1]);
  const limit = Number(match[2]);
  return limit > 0 ? { used, limit } : null;
}

/** Share of the daily API requests from which the check warns. */
export const HIGH_API_USAGE = 0.8;

export function diagnoseApiUsage(usage: ApiUsage | null): Diagnosis {
  if (!usage) return pass("Salesforce did not report API usage on these answers.");
  const share = usage.used / usage.limit;
  const text = describeApiUsage(usage);
  if (share < HIGH_API_USAGE) return pass(`API usage: ${text}.`);
  return warn(
    `API usage is high: ${text}.`,
    "When the org reaches its limit, Salesforce refuses every API request " +
      "(REQUEST_LIMIT_EXCEEDED) until the rolling 24-hour window frees some. Find what uses " +
      "them under Setup > System Overview, or ask Salesforce for a higher limit.",
  );
}

export function describeApiUsage(usage: ApiUsage): string {
  const percent = Math.floor((usage.used / usage.limit) * 100);
  const number = new Intl.NumberFormat("en-US");
  return (
    `${number.format(usage.used)} of ${number.format(usage.limit)} requests in the last 24 ` +
    `hours (${percent}%)`
  );
}

/** "GET /services/data/", "POST /services/oauth2/token": how summaries name a request. */
export function requestLabel(response: Pick<SalesforceResponse, "method" | "path">): string {
  return `${response.method} ${response.path}`;
}

/** Reads a JSON object's string field; anything else gives "". */
export function stringField(body: ResponseBody, field: string): string {
  if (body.kind !== "json" || typeof body.value !== "object" || body.value === null) return "";
  const value = (body.value as Record<string, unknown>)[field];
  return typeof value === "string" ? value : "";
}

/** Text copied from an answer into a summary: one line, bounded. */
export function quote(text: string, max = 160): string {
  const line = text
    .replace(/\p{Cc}+/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
  return line.length > max ? `${line.slice(0, max - 3)}...` : line;
}

function looksLikeWebPage(response: SalesforceResponse): boolean {
  if (response.contentType && /text\/html/i.test(response.contentType)) return true;
  return response.body.kind === "text" && /^\s*</.test(response.body.text);
}

function resolveOrigin(location: string, base: string): string | null {
  if (!URL.canParse(location, base)) return null;
  const url = new URL(location, base);
  return url.protocol === "https:" || url.protocol === "http:" ? url.origin : null;
}

/** "503 Service Unavailable", or the bare number for a status without a common name. */
export function statusLine(status: number): string {
  const texts: Record<number, string> = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
  };
  const text = texts[status];
  return text ? `${status} ${text}` : String(status);
}

function seconds(ms: number): string {
  return ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`;
}

function kib(bytes: number): string {
  return `${Math.round(bytes / 1024)} KiB`;
}
