import { describe, expect, it } from "vitest";
import type { FakeSalesforceState } from "../support/fake-salesforce.ts";
import {
  CLIENT_ID,
  check,
  expectSafe,
  fakeOrg,
  SECRET,
  statuses,
  step,
  TOKEN,
} from "./check-helpers.ts";

const AFTER_TOKEN_SKIPPED = [
  "instance-url:pass",
  "salesforce-host:pass",
  "token:fail",
  "read-access:skipped",
  "api-usage:skipped",
];

describe("runConnectionCheck against a working org", () => {
  it("passes every step and reports version, counts and usage", async () => {
    const fake = await fakeOrg();
    const result = await check(fake.url);

    expect(result.status).toBe("pass");
    expect(statuses(result)).toEqual([
      "instance-url:pass",
      "salesforce-host:pass",
      "token:pass",
      "read-access:pass",
      "api-usage:pass",
    ]);
    expect(result.apiVersion).toBe("67.0");
    expect(result.instanceUrl).toBe(fake.url);
    expect(step(result, "salesforce-host").summary).toContain("67.0 (Summer '26)");
    expect(step(result, "read-access").summary).toBe(
      "Read access to Opportunity (42 records), Account (17 records) and Contact (128 records). " +
        "No create, edit or delete access.",
    );
    expect(step(result, "api-usage").summary).toContain("25 of 15,000 requests");
    for (const entry of result.steps) expect(entry.durationMs).toBeGreaterThanOrEqual(0);
    expectSafe(result);
  });

  it("shows the client id only shortened", async () => {
    const fake = await fakeOrg();
    const result = await check(fake.url);
    expect(result.clientIdHint).toBe("3MVG…wxyz");
    expectSafe(result);
  });

  it("sends the secret only to the token endpoint and the token only to data calls", async () => {
    const fake = await fakeOrg();
    await check(fake.url);
    const token = fake.requests.filter((request) => request.endpoint === "token");
    expect(token).toHaveLength(1);
    expect(new URLSearchParams(token[0]!.body).get("client_secret")).toBe(SECRET);
    for (const request of fake.requests.filter((r) => r.endpoint !== "token")) {
      expect(request.body).toBe("");
      expect(JSON.stringify(request.query)).not.toContain(SECRET);
    }
    const data = fake.requests.filter((r) => r.endpoint === "describe" || r.endpoint === "query");
    expect(data).toHaveLength(6);
    for (const request of data) expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it("uses the fetch it is given", async () => {
    const fake = await fakeOrg();
    const urls: string[] = [];
    const counting: typeof fetch = (input, init) => {
      urls.push(String(input));
      return fetch(input, init);
    };
    const result = await check(fake.url, {}, { fetch: counting });
    expect(result.status).toBe("pass");
    expect(urls).toHaveLength(fake.requests.length);
  });
});

describe("runConnectionCheck with a wrong instance URL", () => {
  it.each([
    ["a Lightning host", "https://acme.lightning.force.com", "Lightning", "acme.my.salesforce.com"],
    ["a login host", "https://login.salesforce.com", "shared login page", "Setup > My Domain"],
    [
      "a sandbox login host",
      "https://test.salesforce.com",
      "shared login page",
      "Setup > My Domain",
    ],
    [
      "a setup host",
      "https://acme.my.salesforce-setup.com",
      "Setup domain",
      "acme.my.salesforce.com",
    ],
    [
      "http",
      "http://acme.my.salesforce.com",
      "must use https://",
      "https://acme.my.salesforce.com",
    ],
    [
      "a trailing path",
      "https://acme.my.salesforce.com/lightning/page/home",
      "remove /lightning/page/home",
      "Save https://acme.my.salesforce.com as",
    ],
    [
      "a non-Salesforce host",
      "https://example.com",
      "not a Salesforce address",
      "Setup > My Domain",
    ],
    ["a legacy instance host", "https://na123.salesforce.com", "legacy instance", "My Domain"],
    ["a loopback host", "http://127.0.0.1:4010", "this machine", "Setup > My Domain"],
  ])("stops at %s before sending anything", async (_, instanceUrl, cause, fix) => {
    const calls: string[] = [];
    const never: typeof fetch = async (input) => {
      calls.push(String(input));
      throw new TypeError("no network in this test");
    };
    const result = await check(instanceUrl, {}, { fetch: never, allowInsecureLoopback: false });

    expect(result.status).toBe("fail");
    expect(statuses(result)).toEqual([
      "instance-url:fail",
      "salesforce-host:skipped",
      "token:skipped",
      "read-access:skipped",
      "api-usage:skipped",
    ]);
    expect(step(result, "instance-url").summary).toContain(cause);
    expect(step(result, "instance-url").advice).toContain(fix);
    expect(step(result, "token").summary).toBe("Skipped because an earlier step failed.");
    expect(result.instanceUrl).toBeNull();
    expect(calls).toEqual([]);
    expectSafe(result);
  });
});

describe("runConnectionCheck with refused credentials", () => {
  const cases: [string, Partial<FakeSalesforceState>, { clientId?: string }, string, string][] = [
    [
      "the login domain",
      { domain: "login" },
      {},
      "refused the token request on this domain",
      "login.salesforce.com",
    ],
    ["the setup domain", { domain: "setup" }, {}, "on this domain", "Setup domain"],
    ["no run-as user", { runAsUser: false }, {}, "has no run-as user", "Run As"],
    [
      "an unknown Consumer Key",
      {},
      { clientId: "3MVG9SomeOtherConsumerKeyFromAnotherOrg000000000" },
      "does not know this Consumer Key (3MVG…0000)",
      "SALESFORCE_CLIENT_ID",
    ],
    [
      "a user not admin approved",
      { adminApproved: false },
      {},
      "not approved for this app",
      "permission set",
    ],
    [
      "the flow not enabled",
      { clientCredentialsFlow: false },
      {},
      "does not accept the client credentials grant",
      "Enable Client Credentials Flow",
    ],
    [
      "IP restrictions",
      {
        tokenError: {
          error: "invalid_grant",
          error_description: "IP restricted or invalid login hours",
        },
      },
      {},
      "from here or now",
      "Login IP Ranges",
    ],
    [
      "an inactive user",
      { tokenError: { error: "inactive_user", error_description: "user is inactive" } },
      {},
      "run-as user is inactive",
      "Reactivate",
    ],
    [
      "an inactive org",
      { tokenError: { error: "inactive_org", error_description: "organization is inactive" } },
      {},
      "org is inactive",
      "org's status",
    ],
    [
      "a token rate limit",
      { tokenError: { error: "rate_limit_exceeded", error_description: "rate limit exceeded" } },
      {},
      "refusing token requests",
      "reuse the token",
    ],
  ];

  it.each(cases)("names %s and its fix", async (_, state, input, cause, fix) => {
    const fake = await fakeOrg(state);
    const result = await check(fake.url, input);
    expect(result.status).toBe("fail");
    expect(statuses(result)).toEqual(AFTER_TOKEN_SKIPPED);
    expect(step(result, "token").summary).toContain(cause);
    expect(step(result, "token").advice).toContain(fix);
    expectSafe(result, input.clientId ? [input.clientId] : []);
  });

  it("names a wrong Consumer Secret without showing it", async () => {
    const wrong = "CANARY-WRONG-SECRET-0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d";
    const fake = await fakeOrg();
    const result = await check(fake.url, { clientSecret: wrong });
    expect(statuses(result)).toEqual(AFTER_TOKEN_SKIPPED);
    expect(step(result, "token").summary).toContain("refused the Consumer Secret");
    expect(step(result, "token").advice).toContain("Manage Consumer Details");
    expectSafe(result, [wrong]);
  });

  it("scrubs a secret that Salesforce's own error text repeats", async () => {
    // Long enough that the copied text is cut inside the secret, which must still not show.
    const padding = "client secret mismatch; ".repeat(5);
    const description = `${padding}received ${SECRET} for ${CLIENT_ID}`;
    const fake = await fakeOrg({
      tokenError: { error: "invalid_request", error_description: description },
    });
    const result = await check(fake.url);
    expect(step(result, "token").summary).toContain("client secret mismatch");
    expectSafe(result);
  });

  it("refuses an empty secret without sending a token request", async () => {
    const fake = await fakeOrg();
    const result = await check(fake.url, { clientSecret: "" });
    expect(step(result, "token").summary).toContain("SALESFORCE_CLIENT_SECRET is empty");
    expect(fake.requests.some((request) => request.endpoint === "token")).toBe(false);
  });

  it("warns when the token names another URL for the org", async () => {
    const fake = await fakeOrg({ reportedInstanceUrl: "https://acme.my.salesforce.com" });
    const result = await check(fake.url);
    expect(result.status).toBe("warn");
    expect(step(result, "token").status).toBe("warn");
    expect(step(result, "token").advice).toContain("Save https://acme.my.salesforce.com");
    expectSafe(result);
  });
});

describe("runConnectionCheck with limited access", () => {
  it("fails when the run-as user cannot see one object, naming it", async () => {
    const fake = await fakeOrg({ invisibleObjects: ["Contact"] });
    const result = await check(fake.url);
    expect(result.status).toBe("fail");
    const access = step(result, "read-access");
    expect(access.status).toBe("fail");
    expect(access.summary).toContain(
      "The run-as user cannot see Contact (describe answered 404 NOT_FOUND).",
    );
    expect(access.summary).toContain("Read access to Opportunity (42 records) and Account");
    expect(access.advice).toContain("Read on Contact");
    expect(step(result, "api-usage").status).toBe("skipped");
    expectSafe(result);
  });

  it("warns about write access, saying which object allows what", async () => {
    const fake = await fakeOrg({
      writable: { Opportunity: ["createable", "updateable", "deletable"], Account: ["updateable"] },
    });
    const result = await check(fake.url);
    expect(result.status).toBe("warn");
    const access = step(result, "read-access");
    expect(access.status).toBe("warn");
    expect(access.summary).toContain(
      "the run-as user can create, edit and delete Opportunity; edit Account.",
    );
    expect(access.advice).toContain("Remove Create, Edit and Delete on Opportunity and Account");
    expect(step(result, "api-usage").status).toBe("pass");
    expectSafe(result);
  });

  it("fails when the REST API is disabled, without repeating the token", async () => {
    const fake = await fakeOrg({ apiEnabled: false, echoTokenInErrors: true });
    const result = await check(fake.url);
    const access = step(result, "read-access");
    expect(access.status).toBe("fail");
    expect(access.summary).toContain("403 API_DISABLED_FOR_ORG");
    expect(access.summary).toContain("The REST API is not enabled for this Organization.");
    expect(access.advice).toContain("API Enabled");
    expect(fake.requests.filter((r) => r.endpoint === "describe")).toHaveLength(1);
    expectSafe(result);
  });

  it("fails when the daily request limit is exceeded, with the usage numbers", async () => {
    const fake = await fakeOrg({
      requestLimitExceeded: true,
      apiUsage: { used: 15012, limit: 15000 },
    });
    const result = await check(fake.url);
    const access = step(result, "read-access");
    expect(access.summary).toContain("403 REQUEST_LIMIT_EXCEEDED");
    expect(access.summary).toContain("15,012 of 15,000 requests");
    expect(access.advice).toContain("rolling 24-hour window");
    expectSafe(result);
  });

  it("fails when Salesforce refuses the issued token", async () => {
    const fake = await fakeOrg({ sessionRejected: true, echoTokenInErrors: true });
    const result = await check(fake.url);
    expect(step(result, "read-access").summary).toContain("401 INVALID_SESSION_ID");
    expect(step(result, "read-access").advice).toContain("(api)");
    expectSafe(result);
  });

  it("warns when API usage is high", async () => {
    const fake = await fakeOrg({ apiUsage: { used: 14000, limit: 15000 } });
    const result = await check(fake.url);
    expect(result.status).toBe("warn");
    expect(step(result, "api-usage").status).toBe("warn");
    expect(step(result, "api-usage").summary).toContain("14,000 of 15,000 requests");
    expectSafe(result);
  });
});
