import { describe, expect, it } from "vitest";
import { diagnoseCredentials, diagnoseToken } from "../../src/salesforce/token-diagnosis.ts";
import { CONTEXT, INSTANCE_URL, tokenAnswer } from "./responses.ts";

function refusal(error: string, description: string, status = 400) {
  return diagnoseToken(tokenAnswer({ status, json: { error, error_description: description } }), {
    ...CONTEXT,
    clientIdHint: "3MVG…AbCd",
  });
}

describe("diagnoseToken", () => {
  it.each([
    [
      "invalid_grant",
      "request not supported on this domain",
      "only on the org's own My Domain",
      "Setup > My Domain",
    ],
    [
      "invalid_grant",
      "no client credentials user enabled",
      "has no run-as user",
      "set Run As to the dedicated read-only integration user",
    ],
    [
      "invalid_client_id",
      "client identifier invalid",
      "does not know this Consumer Key (3MVG…AbCd)",
      "2 to 10 minutes",
    ],
    [
      "invalid_client",
      "invalid client credentials",
      "refused the Consumer Secret",
      "copy the Consumer Secret again and save it as SALESFORCE_CLIENT_SECRET",
    ],
    [
      "invalid_app_access",
      "user is not admin approved to access this app",
      "not approved for this app",
      "profile or a permission set",
    ],
    [
      "unsupported_grant_type",
      "grant type not supported",
      "does not accept the client credentials grant",
      "Enable Client Credentials Flow",
    ],
    [
      "invalid_grant",
      "IP restricted or invalid login hours",
      "(IP restricted or invalid login hours)",
      "Login IP Ranges",
    ],
    ["inactive_user", "user is inactive", "run-as user is inactive", "Reactivate"],
    ["inactive_org", "organization is inactive", "org is inactive", "org's status"],
    ["rate_limit_exceeded", "rate limit exceeded", "refusing token requests", "reuse the token"],
  ])("maps %s / %s to its cause and fix", (error, description, cause, fix) => {
    const diagnosis = refusal(error, description);
    expect(diagnosis.status).toBe("fail");
    expect(diagnosis.summary).toContain(cause);
    expect(diagnosis.advice).toContain(fix);
  });

  it("repeats what Salesforce said for an error it does not know", () => {
    const diagnosis = refusal("invalid_request", "unknown parameter: foo");
    expect(diagnosis.summary).toBe(
      "Salesforce refused the token request (400 Bad Request, invalid_request: unknown " +
        "parameter: foo).",
    );
  });

  it("reads a 401 with an OAuth error like a 400", () => {
    expect(refusal("invalid_client", "invalid client credentials", 401).summary).toContain(
      "refused the Consumer Secret",
    );
  });

  it("passes a token answer and names the org and the run-as user", () => {
    const diagnosis = diagnoseToken(
      tokenAnswer({
        status: 200,
        json: {
          access_token: "tok",
          instance_url: INSTANCE_URL,
          id: `${INSTANCE_URL}/id/00D5g000004ABCDEAU/0055g00000XYZ12AAA`,
          token_type: "Bearer",
        },
      }),
      CONTEXT,
    );
    expect(diagnosis).toEqual({
      status: "pass",
      summary:
        "Salesforce issued an access token (org 00D5g000004ABCDEAU, run-as user " +
        "0055g00000XYZ12AAA).",
    });
  });

  it("warns when the token names another URL for the org", () => {
    const diagnosis = diagnoseToken(
      tokenAnswer({
        status: 200,
        json: { access_token: "tok", instance_url: "https://acme2.my.salesforce.com" },
      }),
      CONTEXT,
    );
    expect(diagnosis.status).toBe("warn");
    expect(diagnosis.advice).toBe(
      "Save https://acme2.my.salesforce.com as SALESFORCE_INSTANCE_URL so the application " +
        "talks to the org directly.",
    );
  });

  it("fails a 200 without an access token", () => {
    const diagnosis = diagnoseToken(tokenAnswer({ status: 200, json: { ok: true } }), CONTEXT);
    expect(diagnosis.status).toBe("fail");
    expect(diagnosis.summary).toContain("without an access token");
  });

  it("hands a redirect and an outage page to the general mappings", () => {
    const redirect = diagnoseToken(
      tokenAnswer({
        status: 302,
        location: "https://acme2.my.salesforce.com/services/oauth2/token",
      }),
      CONTEXT,
    );
    expect(redirect.advice).toBe(
      "Save https://acme2.my.salesforce.com as SALESFORCE_INSTANCE_URL.",
    );

    const outage = diagnoseToken(
      tokenAnswer({ status: 503, contentType: "text/html", text: "<html></html>" }),
      CONTEXT,
    );
    expect(outage.summary).toContain("503 Service Unavailable with a web page");
  });
});

describe("diagnoseCredentials", () => {
  it("accepts credentials without spaces", () => {
    expect(diagnoseCredentials("3MVG9abc", "ABC123")).toBeNull();
  });

  it("names an empty value without sending anything", () => {
    const diagnosis = diagnoseCredentials("3MVG9abc", "");
    expect(diagnosis?.summary).toBe(
      "SALESFORCE_CLIENT_SECRET is empty. The token request was not sent.",
    );
  });

  it("names a value pasted with a line break", () => {
    const diagnosis = diagnoseCredentials("3MVG9abc\n", "ABC123");
    expect(diagnosis?.summary).toContain(
      "SALESFORCE_CLIENT_ID has spaces or line breaks around it",
    );
  });
});
