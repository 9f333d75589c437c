// What each answer to the client credentials token request means and how the owner fixes it.
// Salesforce names most mistakes by an OAuth error code plus a fixed description.

import type { SalesforceResponse } from "./client.ts";
import { readAccessToken } from "./client.ts";
import type { Diagnosis, DiagnosisContext } from "./diagnosis.ts";
import {
  diagnoseUnexpectedAnswer,
  fail,
  pass,
  quote,
  requestLabel,
  statusLine,
  stringField,
  warn,
} from "./diagnosis.ts";

export interface TokenDiagnosisContext extends DiagnosisContext {
  /** The Consumer Key shortened for display (see maskClientId), never the whole key. */
  clientIdHint?: string;
}

const MANAGE_CONSUMER_DETAILS =
  "In Setup > App Manager, open the app (View) and select Manage Consumer Details";

/** Finds the cause of a refused token request from `error` and `error_description`. */
export function diagnoseToken(
  response: SalesforceResponse,
  context: TokenDiagnosisContext,
): Diagnosis {
  if (readAccessToken(response)) return tokenIssued(response, context);

  const error = stringField(response.body, "error");
  if (!error || response.status < 400 || response.status >= 500) {
    if (response.status === 200 && response.body.kind === "json") {
      return fail(
        `${requestLabel(response)} answered 200 without an access token.`,
        "The host does not answer like Salesforce's token endpoint. Check that " +
          "SALESFORCE_INSTANCE_URL is the org's My Domain URL.",
      );
    }
    return diagnoseUnexpectedAnswer(response, context);
  }

  const description = stringField(response.body, "error_description");
  return (
    knownTokenError(error, description, context) ?? otherTokenError(response, error, description)
  );
}

function knownTokenError(
  error: string,
  description: string,
  context: TokenDiagnosisContext,
): Diagnosis | null {
  const said = description.toLowerCase();

  if (error === "invalid_grant" && said.includes("not supported on this domain")) {
    return fail(
      "Salesforce refused the token request on this domain (request not supported on this " +
        "domain): client credentials tokens are issued only on the org's own My Domain.",
      "Do not use login.salesforce.com, test.salesforce.com or the Setup domain " +
        "(…my.salesforce-setup.com). Copy the URL from Setup > My Domain (Current My Domain " +
        "URL), e.g. https://yourcompany.my.salesforce.com, and save it as SALESFORCE_INSTANCE_URL.",
    );
  }

  if (error === "invalid_grant" && said.includes("no client credentials user")) {
    return fail(
      "The External Client App has no run-as user for the client credentials flow (no client " +
        "credentials user enabled).",
      "In Setup > App Manager, edit the app's policies: under the client credentials flow, set " +
        "Run As to the dedicated read-only integration user, save, and test again.",
    );
  }

  if (error === "invalid_grant" && said.includes("ip restricted")) {
    return fail(
      `Salesforce refused to log in the run-as user from here or now (${quote(description)}).`,
      "Check the integration user's profile: Login IP Ranges must include this server's " +
        "address and Login Hours must cover now. The app's IP Relaxation policy also applies.",
    );
  }

  if (error === "invalid_client_id") {
    const key = context.clientIdHint ? ` (${context.clientIdHint})` : "";
    return fail(
      `Salesforce does not know this Consumer Key${key} (client identifier invalid).`,
      `${MANAGE_CONSUMER_DETAILS}, copy the Consumer Key again and save it as ` +
        "SALESFORCE_CLIENT_ID. Check that the app belongs to the org of SALESFORCE_INSTANCE_URL " +
        "(a sandbox has its own apps). If the app was created in the last 10 minutes, wait: " +
        "a new app takes 2 to 10 minutes to become usable.",
    );
  }

  if (error === "invalid_client") {
    return fail(
      "Salesforce knows the Consumer Key but refused the Consumer Secret (invalid client " +
        "credentials): it is wrong or was rotated.",
      `${MANAGE_CONSUMER_DETAILS}, copy the Consumer Secret again and save it as ` +
        "SALESFORCE_CLIENT_SECRET in this environment.",
    );
  }

  if (error === "invalid_app_access") {
    return fail(
      "The run-as user is not approved for this app (user is not admin approved to access " +
        "this app).",
      "The app admits only admin-approved users. In the app's policies, add the profile or a " +
        "permission set of the integration user, or assign such a permission set to the user.",
    );
  }

  if (error === "unsupported_grant_type") {
    return fail(
      "Salesforce does not accept the client credentials grant from this app (grant type not " +
        "supported).",
      "In the app's OAuth settings, select Enable Client Credentials Flow and set a run-as " +
        "user. Also make sure SALESFORCE_INSTANCE_URL is the https:// My Domain URL: a token " +
        "request sent over http or through a redirect reaches Salesforce without its form body.",
    );
  }

  if (error === "inactive_user") {
    return fail(
      `The run-as user is inactive (${quote(description || error)}).`,
      "Reactivate the integration user, or set another active read-only user as the app's " +
        "run-as user.",
    );
  }

  if (error === "inactive_org") {
    return fail(
      `The org is inactive (${quote(description || error)}): an expired trial, a deleted ` +
        "sandbox or a locked org.",
      "Check the org's status with your Salesforce administrator; if this is the wrong org, " +
        "fix SALESFORCE_INSTANCE_URL.",
    );
  }

  if (error === "rate_limit_exceeded") {
    return fail(
      `Salesforce is refusing token requests for now (${quote(description || error)}).`,
      "Wait a few minutes and test again. If something requests a new token for every call, " +
        "make it reuse the token until Salesforce answers 401.",
    );
  }
  return null;
}

function otherTokenError(
  response: SalesforceResponse,
  error: string,
  description: string,
): Diagnosis {
  const said = description ? `: ${quote(description)}` : "";
  return fail(
    `Salesforce refused the token request (${statusLine(response.status)}, ${quote(error, 60)}` +
      `${said}).`,
    "Act on what Salesforce says above; the app's OAuth policies and the run-as user's " +
      "profile are the usual places to look.",
  );
}

function tokenIssued(response: SalesforceResponse, context: TokenDiagnosisContext): Diagnosis {
  const identity = /\/id\/(00D\w{12,15})\/(005\w{12,15})$/.exec(stringField(response.body, "id"));
  const who = identity ? ` (org ${identity[1]}, run-as user ${identity[2]})` : "";
  const summary = `Salesforce issued an access token${who}.`;

  // The token names the org's canonical URL; the app should be configured with that one.
  const reported = stringField(response.body, "instance_url");
  if (reported && URL.canParse(reported)) {
    const origin = new URL(reported).origin;
    if (origin !== new URL(context.instanceUrl).origin) {
      return warn(
        `${summary} Salesforce names ${origin} as the org's URL, not ${context.instanceUrl}.`,
        `Save ${origin} as SALESFORCE_INSTANCE_URL so the application talks to the org directly.`,
      );
    }
  }
  return pass(summary);
}

/** Catches credentials that cannot work before they are sent: empty, or pasted with spaces. */
export function diagnoseCredentials(clientId: string, clientSecret: string): Diagnosis | null {
  const problems: string[] = [];
  for (const [name, value] of [
    ["SALESFORCE_CLIENT_ID", clientId],
    ["SALESFORCE_CLIENT_SECRET", clientSecret],
  ] as const) {
    if (value.trim() === "") problems.push(`${name} is empty.`);
    else if (value !== value.trim()) {
      problems.push(`${name} has spaces or line breaks around it.`);
    } else if (/\s/.test(value)) problems.push(`${name} contains spaces or line breaks.`);
  }
  if (problems.length === 0) return null;
  return fail(
    `${problems.join(" ")} The token request was not sent.`,
    `${MANAGE_CONSUMER_DETAILS}, copy the Consumer Key and Consumer Secret again and save ` +
      "them as SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET without surrounding spaces.",
  );
}
