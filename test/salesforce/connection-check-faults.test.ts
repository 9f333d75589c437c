import { describe, expect, it } from "vitest";
import { check, expectSafe, fakeOrg, SECRET, statuses, step, TOKEN } from "./check-helpers.ts";

describe("runConnectionCheck when the host misbehaves", () => {
  it("fails the host step for a web server that is not Salesforce", async () => {
    const fake = await fakeOrg({ faults: { any: { kind: "not-salesforce" } } });
    const result = await check(fake.url);
    expect(statuses(result)).toEqual([
      "instance-url:pass",
      "salesforce-host:fail",
      "token:skipped",
      "read-access:skipped",
      "api-usage:skipped",
    ]);
    expect(step(result, "salesforce-host").summary).toContain("not a Salesforce org");
    expect(step(result, "salesforce-host").advice).toContain("Setup > My Domain");
    expect(fake.requests).toHaveLength(1);
    expectSafe(result);
  });

  it("fails the host step for a JSON service that is not Salesforce", async () => {
    const fake = await fakeOrg({
      faults: {
        versions: { kind: "raw", status: 200, contentType: "application/json", body: "{}" },
      },
    });
    const result = await check(fake.url);
    expect(step(result, "salesforce-host").summary).toContain("not with Salesforce's list");
    expect(fake.requests.some((request) => request.endpoint === "token")).toBe(false);
  });

  it("reports a host that hangs past the timeout", async () => {
    const fake = await fakeOrg({ faults: { versions: { kind: "hang" } } });
    const result = await check(fake.url, {}, { timeoutMs: 250 });
    const host = step(result, "salesforce-host");
    expect(host.status).toBe("fail");
    expect(host.summary).toBe(
      `GET /services/data/ got no complete answer from ${new URL(fake.url).host} within 250 ms.`,
    );
    expect(host.advice).toContain("Try again in a few minutes");
    expect(step(result, "token").status).toBe("skipped");
    expectSafe(result);
  });

  it("reports a token request that hangs past the timeout", async () => {
    const fake = await fakeOrg({ faults: { token: { kind: "hang" } } });
    const result = await check(fake.url, {}, { timeoutMs: 250 });
    expect(step(result, "token").summary).toContain("POST /services/oauth2/token got no complete");
    expectSafe(result);
  });

  it("reads a 503 with an HTML page as an outage", async () => {
    const fake = await fakeOrg({ faults: { versions: { kind: "html-503" } } });
    const result = await check(fake.url);
    const host = step(result, "salesforce-host");
    expect(host.summary).toBe(
      "GET /services/data/ answered 503 Service Unavailable with a web page instead of JSON.",
    );
    expect(host.advice).toContain("status.salesforce.com");
    expectSafe(result);
  });

  it("reads a 503 on the token request the same way", async () => {
    const fake = await fakeOrg({ faults: { token: { kind: "html-503" } } });
    const result = await check(fake.url);
    expect(step(result, "token").summary).toContain("503 Service Unavailable with a web page");
    expectSafe(result);
  });

  it("reports malformed JSON without repeating the token it held", async () => {
    const fake = await fakeOrg({ faults: { token: { kind: "malformed-json" } } });
    const result = await check(fake.url);
    const token = step(result, "token");
    expect(token.status).toBe("fail");
    expect(token.summary).toBe(
      "POST /services/oauth2/token answered 200 with JSON that could not be read.",
    );
    expectSafe(result);
  });

  it("reports malformed JSON on the version list", async () => {
    const fake = await fakeOrg({ faults: { versions: { kind: "malformed-json" } } });
    const result = await check(fake.url);
    expect(step(result, "salesforce-host").summary).toContain("JSON that could not be read");
  });

  it("stops reading an endless answer", async () => {
    const fake = await fakeOrg({ faults: { versions: { kind: "endless-body" } } });
    const result = await check(fake.url, {}, { maxBodyBytes: 32 * 1024 });
    expect(step(result, "salesforce-host").summary).toContain("larger than 32 KiB");
    expectSafe(result);
  });
});

describe("runConnectionCheck and redirects", () => {
  it("does not follow a token redirect to another host, which receives nothing", async () => {
    const elsewhere = await fakeOrg();
    const fake = await fakeOrg({
      faults: { token: { kind: "redirect", location: `${elsewhere.url}/services/oauth2/token` } },
    });
    const result = await check(fake.url);

    const token = step(result, "token");
    expect(token.status).toBe("fail");
    expect(token.summary).toContain("was redirected (302)");
    expect(token.summary).toContain("no credentials were sent there");
    expect(elsewhere.requests).toEqual([]);
    expectSafe(result);
  });

  it("does not follow a data redirect either, so the token stays home", async () => {
    const elsewhere = await fakeOrg();
    const fake = await fakeOrg({
      faults: { describe: { kind: "redirect", location: `${elsewhere.url}/collect`, status: 307 } },
    });
    const result = await check(fake.url);
    expect(step(result, "read-access").summary).toContain("was redirected (307)");
    expect(elsewhere.requests).toEqual([]);
    expectSafe(result);
  });

  it("names a foreign redirect target that is no My Domain", async () => {
    const fake = await fakeOrg({
      faults: { token: { kind: "redirect", location: "https://collector.example/steal" } },
    });
    const result = await check(fake.url);
    const token = step(result, "token");
    expect(token.summary).toContain("to collector.example, which is not a Salesforce My Domain");
    expect(token.summary).not.toContain("steal");
    expect(token.advice).toContain("Setup > My Domain");
  });

  it("turns a Lightning-style 302 on the token request into the URL to save", async () => {
    const fake = await fakeOrg({
      faults: {
        token: {
          kind: "redirect",
          location: "https://acme.my.salesforce.com/services/oauth2/token",
        },
      },
    });
    const result = await check(fake.url);
    const token = step(result, "token");
    expect(token.summary).toContain("redirected (302) to acme.my.salesforce.com");
    expect(token.summary).toContain("loses its form body");
    expect(token.advice).toBe("Save https://acme.my.salesforce.com as SALESFORCE_INSTANCE_URL.");
    expectSafe(result);
  });

  it("stops at the host step when every request of a Lightning host redirects", async () => {
    const fake = await fakeOrg({ domain: "lightning" });
    const result = await check(fake.url);
    expect(step(result, "salesforce-host").status).toBe("fail");
    expect(step(result, "salesforce-host").advice).toBe(
      "Save https://acme.my.salesforce.com as SALESFORCE_INSTANCE_URL.",
    );
    expect(fake.requests.map((request) => request.endpoint)).toEqual(["versions"]);
  });

  it("never sends the secret or the token on a request that gets redirected", async () => {
    const fake = await fakeOrg({
      faults: { describe: { kind: "redirect", location: "https://acme.my.salesforce.com/x" } },
    });
    await check(fake.url);
    const redirected = fake.requests.filter((request) => request.endpoint === "describe");
    expect(redirected).toHaveLength(1);
    expect(redirected[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(JSON.stringify(redirected)).not.toContain(SECRET);
  });
});
