import { describe, expect, it, onTestFinished } from "vitest";
import { newestApiVersion, SalesforceClient } from "../../src/salesforce/client.ts";
import {
  InvalidInstanceUrlError,
  InvalidObjectNameError,
  SalesforceClientStateError,
  SalesforceResponseTooLargeError,
  SalesforceTimeoutError,
  SalesforceUnreachableError,
} from "../../src/salesforce/errors.ts";
import type { FakeSalesforceState } from "../support/fake-salesforce.ts";
import { startFakeSalesforce } from "../support/fake-salesforce.ts";

async function fakeOrg(state: Partial<FakeSalesforceState> = {}) {
  const fake = await startFakeSalesforce(state);
  onTestFinished(() => fake.close());
  return fake;
}

function clientFor(url: string, options: { timeoutMs?: number; maxBodyBytes?: number } = {}) {
  return new SalesforceClient({ instanceUrl: url, allowInsecureLoopback: true, ...options });
}

describe("SalesforceClient", () => {
  it("lists the API versions without a token", async () => {
    const fake = await fakeOrg();
    const response = await clientFor(fake.url).getVersions();
    expect(response.status).toBe(200);
    expect(newestApiVersion(response.body.kind === "json" ? response.body.value : null)).toEqual({
      version: "67.0",
      label: "Summer '26",
    });
    expect(fake.requests[0]?.headers.authorization).toBeUndefined();
  });

  it("sends the token request as a form with the client credentials grant", async () => {
    const fake = await fakeOrg({ clientId: "3MVG9-key", clientSecret: "s3cret&=+ value" });
    const response = await clientFor(fake.url).requestToken("3MVG9-key", "s3cret&=+ value");
    expect(response.status).toBe(200);

    const sent = fake.requests[0]!;
    expect(sent.method).toBe("POST");
    expect(sent.path).toBe("/services/oauth2/token");
    expect(sent.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(sent.body))).toEqual({
      grant_type: "client_credentials",
      client_id: "3MVG9-key",
      client_secret: "s3cret&=+ value",
    });
  });

  it("uses the issued token and the chosen version for describe and count", async () => {
    const fake = await fakeOrg({ apiUsage: { used: 300, limit: 15000 } });
    const client = clientFor(fake.url);
    await client.requestToken(fake.state.clientId, fake.state.clientSecret);
    client.useApiVersion("67.0");

    const described = await client.describe("Opportunity");
    expect(described.status).toBe(200);
    expect(described.limitInfo).toBe("api-usage=300/15000");
    expect(described.body).toMatchObject({ kind: "json", value: { name: "Opportunity" } });

    const counted = await client.count("Account");
    expect(counted.body).toEqual({
      kind: "json",
      value: { totalSize: 17, done: true, records: [] },
    });
    const query = fake.requests.at(-1)!;
    expect(query.path).toBe("/services/data/v67.0/query");
    expect(query.query).toEqual({ q: "SELECT COUNT() FROM Account" });
    expect(query.headers.authorization).toBe(`Bearer ${fake.state.accessToken}`);
  });

  it("keeps a refused token out of later calls", async () => {
    const fake = await fakeOrg();
    const client = clientFor(fake.url);
    const response = await client.requestToken(fake.state.clientId, "wrong");
    expect(response.status).toBe(400);
    client.useApiVersion("67.0");
    await expect(client.describe("Account")).rejects.toBeInstanceOf(SalesforceClientStateError);
  });

  it("returns a redirect instead of following it, so the other host receives nothing", async () => {
    const elsewhere = await fakeOrg();
    const fake = await fakeOrg({
      faults: { token: { kind: "redirect", location: `${elsewhere.url}/services/oauth2/token` } },
    });
    const response = await clientFor(fake.url).requestToken(
      fake.state.clientId,
      fake.state.clientSecret,
    );
    expect(response.status).toBe(302);
    expect(response.location).toBe(`${elsewhere.url}/services/oauth2/token`);
    expect(elsewhere.requests).toEqual([]);
  });

  it("gives up on a host that never answers with a named timeout error", async () => {
    const fake = await fakeOrg({ faults: { versions: { kind: "hang" } } });
    const attempt = clientFor(fake.url, { timeoutMs: 200 }).getVersions();
    await expect(attempt).rejects.toBeInstanceOf(SalesforceTimeoutError);
    await expect(attempt).rejects.toMatchObject({ timeoutMs: 200 });
  });

  it("stops reading an endless body at the size limit", async () => {
    const fake = await fakeOrg({ faults: { versions: { kind: "endless-body" } } });
    const attempt = clientFor(fake.url, { maxBodyBytes: 64 * 1024 }).getVersions();
    await expect(attempt).rejects.toBeInstanceOf(SalesforceResponseTooLargeError);
    await expect(attempt).rejects.toMatchObject({ status: 200, limitBytes: 64 * 1024 });
  });

  it("stops an endless body at 256 KiB by default", async () => {
    const fake = await fakeOrg({ faults: { versions: { kind: "endless-body" } } });
    const client = clientFor(fake.url);
    expect(client.maxBodyBytes).toBe(256 * 1024);
    await expect(client.getVersions()).rejects.toBeInstanceOf(SalesforceResponseTooLargeError);
  });

  it("marks JSON it cannot parse without keeping its text", async () => {
    const fake = await fakeOrg({ faults: { token: { kind: "malformed-json" } } });
    const response = await clientFor(fake.url).requestToken(
      fake.state.clientId,
      fake.state.clientSecret,
    );
    expect(response.body).toEqual({ kind: "invalid-json" });
  });

  it("names a refused connection", async () => {
    const fake = await startFakeSalesforce();
    const url = fake.url;
    await fake.close();
    const attempt = clientFor(url).getVersions();
    await expect(attempt).rejects.toBeInstanceOf(SalesforceUnreachableError);
    await expect(attempt).rejects.toMatchObject({ reason: "refused" });
  });

  it("refuses an instance URL that fails validation", () => {
    expect(() => new SalesforceClient({ instanceUrl: "http://acme.my.salesforce.com" })).toThrow(
      InvalidInstanceUrlError,
    );
    expect(() => new SalesforceClient({ instanceUrl: "http://127.0.0.1:4010" })).toThrow(
      InvalidInstanceUrlError,
    );
  });

  it("refuses an object name that could change the query", async () => {
    const fake = await fakeOrg();
    const client = clientFor(fake.url);
    client.useAccessToken("token");
    client.useApiVersion("67.0");
    expect(() => client.count("Account WHERE Name != null")).toThrow(InvalidObjectNameError);
    expect(() => client.describe("../limits")).toThrow(InvalidObjectNameError);
    expect(fake.requests).toEqual([]);
  });

  it("needs an API version before data calls", () => {
    const client = clientFor("http://127.0.0.1:4010");
    client.useAccessToken("token");
    expect(() => client.describe("Account")).toThrow(SalesforceClientStateError);
    expect(() => client.useApiVersion("latest")).toThrow(SalesforceClientStateError);
  });
});

describe("the fake Salesforce", () => {
  it("refuses a JSON token body with unsupported_grant_type", async () => {
    const fake = await fakeOrg();
    const response = await fetch(`${fake.url}/services/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        grant_type: "client_credentials",
        client_id: fake.state.clientId,
        client_secret: fake.state.clientSecret,
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: "unsupported_grant_type",
      error_description: "grant type not supported",
    });
  });

  it("accepts HTTP Basic credentials with only the grant type in the body", async () => {
    const fake = await fakeOrg();
    const basic = Buffer.from(`${fake.state.clientId}:${fake.state.clientSecret}`).toString(
      "base64",
    );
    const response = await fetch(`${fake.url}/services/oauth2/token`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${basic}`,
      },
      body: "grant_type=client_credentials",
    });
    const body = (await response.json()) as Record<string, unknown>;
    expect(response.status).toBe(200);
    expect(body.access_token).toBe(fake.state.accessToken);
    expect(body.token_type).toBe("Bearer");
    expect(body).not.toHaveProperty("refresh_token");
  });

  it("answers data API errors as arrays with Salesforce's content type", async () => {
    const fake = await fakeOrg();
    const response = await fetch(`${fake.url}/services/data/v67.0/sobjects/Account/describe`, {
      headers: { authorization: "Bearer stale" },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get("content-type")).toBe("application/json;charset=UTF-8");
    expect(response.headers.get("sforce-limit-info")).toBe("api-usage=25/15000");
    expect(await response.json()).toEqual([
      { message: "Session expired or invalid", errorCode: "INVALID_SESSION_ID" },
    ]);
  });

  it("redirects every request of a Lightning host to the My Domain", async () => {
    const fake = await fakeOrg({ domain: "lightning" });
    const response = await fetch(`${fake.url}/services/oauth2/token`, {
      method: "POST",
      redirect: "manual",
    });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe(
      "https://acme.my.salesforce.com/services/oauth2/token",
    );
  });
});
