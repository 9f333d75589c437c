// The runtime client against a stub console: reading one environment's secrets, caching them,
// sharing requests, refused runtime tokens and the options checked at creation.
import { afterEach, describe, expect, it } from "vitest";
import {
  createSecretsClient,
  SecretsAuthError,
  type SecretsClientOptions,
  SecretsConfigError,
} from "../../src/runtime/client.ts";
import { type StubRuntimeApi, startStubRuntimeApi } from "../support/stub-runtime-api.ts";
import {
  closeStubs,
  manualClock,
  productionConsole,
  rejectionOf,
  uniqueToken,
} from "./helpers/factories.ts";

afterEach(closeStubs);

function clientFor(stub: StubRuntimeApi, token: string, extra: Partial<SecretsClientOptions> = {}) {
  return createSecretsClient({ url: stub.url, token, ...extra });
}

describe("reading secrets", () => {
  it("answers every secret of the token's environment", async () => {
    const { stub, token } = await productionConsole({ SF_CLIENT_ID: "id-1", SF_SECRET: "s-1" });
    const client = clientFor(stub, token);

    expect(await client.getAll()).toEqual({ SF_CLIENT_ID: "id-1", SF_SECRET: "s-1" });
    expect(client.environment).toBe("Production");
  });

  it("reads only the environment its runtime token belongs to", async () => {
    const previewToken = uniqueToken();
    const stub = await startStubRuntimeApi({
      environments: {
        Production: { SF_CLIENT_ID: "prod-id" },
        Preview: { SF_CLIENT_ID: "pre-id" },
      },
      tokens: { [uniqueToken()]: "Production", [previewToken]: "Preview" },
    });
    const client = clientFor(stub, previewToken);

    try {
      expect(await client.getAll()).toEqual({ SF_CLIENT_ID: "pre-id" });
      expect(client.environment).toBe("Preview");
    } finally {
      await stub.close();
    }
  });

  it("answers one secret by name and undefined for a name the environment lacks", async () => {
    const { stub, token } = await productionConsole({ SF_CLIENT_ID: "id-1" });
    const client = clientFor(stub, token);

    expect(await client.get("SF_CLIENT_ID")).toBe("id-1");
    expect(await client.get("MISSING")).toBeUndefined();
    expect(await client.get("toString")).toBeUndefined();
  });

  it("sends the feature that reads as X-Feature", async () => {
    const { stub, token } = await productionConsole();
    const client = clientFor(stub, token, { feature: "salesforce-sync" });

    await client.getAll();

    expect(stub.requests.map((request) => request.feature)).toEqual(["salesforce-sync"]);
  });

  it("asks only for the names it was created with", async () => {
    const { stub, token } = await productionConsole({ A: "a", B: "b", C: "c" });
    const client = clientFor(stub, token, { names: ["A", "C"] });

    expect(await client.getAll()).toEqual({ A: "a", C: "c" });
    expect(stub.requests[0]?.path).toBe("/runtime/v1/secrets?names=A,C");
    await expect(client.get("B")).rejects.toBeInstanceOf(SecretsConfigError);
  });

  it("hands out a copy that callers cannot use to change the cache", async () => {
    const { stub, token } = await productionConsole({ SF_CLIENT_ID: "id-1" });
    const client = clientFor(stub, token);

    const first = await client.getAll();
    first.SF_CLIENT_ID = "changed";

    expect(await client.get("SF_CLIENT_ID")).toBe("id-1");
  });

  it("accepts a console URL with a trailing slash", async () => {
    const { stub, token } = await productionConsole();
    const client = createSecretsClient({ url: `${stub.url}/`, token });

    expect(await client.get("SF_CLIENT_ID")).toBe("id-1");
  });
});

describe("caching", () => {
  it("serves cached values until the TTL passes, then asks the console again", async () => {
    const { stub, token } = await productionConsole({ SF_CLIENT_ID: "old" });
    const clock = manualClock();
    const client = clientFor(stub, token, { ttlMs: 10_000, now: clock.now });

    await client.getAll();
    stub.setSecret("Production", "SF_CLIENT_ID", "new");
    clock.advance(9_999);
    expect(await client.get("SF_CLIENT_ID")).toBe("old");
    expect(stub.requests).toHaveLength(1);

    clock.advance(1);
    expect(await client.get("SF_CLIENT_ID")).toBe("new");
    expect(stub.requests).toHaveLength(2);
  });

  it("keeps values for 30 seconds by default", async () => {
    const { stub, token } = await productionConsole();
    const clock = manualClock();
    const client = clientFor(stub, token, { now: clock.now });

    await client.getAll();
    clock.advance(29_999);
    await client.getAll();
    expect(stub.requests).toHaveLength(1);

    clock.advance(1);
    await client.getAll();
    expect(stub.requests).toHaveLength(2);
  });

  it("reloads on refresh even while the cache is fresh", async () => {
    const { stub, token } = await productionConsole({ SF_CLIENT_ID: "old" });
    const client = clientFor(stub, token, { now: manualClock().now });

    await client.getAll();
    stub.setSecret("Production", "SF_CLIENT_ID", "rotated");
    await client.refresh();

    expect(await client.get("SF_CLIENT_ID")).toBe("rotated");
    expect(stub.requests).toHaveLength(2);
  });

  it("lets concurrent callers share one request to the console", async () => {
    const { stub, token } = await productionConsole({ A: "a", B: "b" });
    const client = clientFor(stub, token);

    const answers = await Promise.all([
      client.get("A"),
      client.get("B"),
      client.getAll(),
      client.refresh(),
    ]);

    expect(answers.slice(0, 3)).toEqual(["a", "b", { A: "a", B: "b" }]);
    expect(stub.requests).toHaveLength(1);
  });
});

describe("a refused runtime token", () => {
  it("throws a SecretsAuthError for an unknown token", async () => {
    const { stub } = await productionConsole();

    const error = await rejectionOf(clientFor(stub, uniqueToken()).getAll());

    expect(error).toBeInstanceOf(SecretsAuthError);
    expect(error.message).toContain("refused the runtime token: answered 401");
  });

  it("never falls back to cached values once the token is revoked", async () => {
    const { stub, token } = await productionConsole({ SF_CLIENT_ID: "known" });
    const clock = manualClock();
    const client = clientFor(stub, token, { now: clock.now });
    await client.getAll();

    stub.revokeToken(token);
    clock.advance(30_000);

    await expect(client.get("SF_CLIENT_ID")).rejects.toBeInstanceOf(SecretsAuthError);
    await expect(client.getAll()).rejects.toBeInstanceOf(SecretsAuthError);
    expect(client.environment).toBeUndefined();
    expect(client.stale).toBe(false);
  });

  it("forgets cached values when a refresh is refused, even within the TTL", async () => {
    const { stub, token } = await productionConsole({ SF_CLIENT_ID: "known" });
    const client = clientFor(stub, token, { now: manualClock().now });
    await client.getAll();

    stub.revokeToken(token);

    await expect(client.refresh()).rejects.toBeInstanceOf(SecretsAuthError);
    await expect(client.get("SF_CLIENT_ID")).rejects.toBeInstanceOf(SecretsAuthError);
  });
});

describe("checking options at creation", () => {
  it("refuses a token that does not start with scrt_, without repeating it", () => {
    const token = `canary${Date.now()}`;

    const create = () => createSecretsClient({ url: "http://127.0.0.1:1", token });

    expect(create).toThrow(SecretsConfigError);
    expect(create).toThrow(/must start with scrt_/);
    expect(create).not.toThrow(token);
  });

  it("refuses a token holding a line break", () => {
    const create = () => createSecretsClient({ url: "http://127.0.0.1:1", token: "scrt_a\nb" });

    expect(create).toThrow(SecretsConfigError);
  });

  it.each([
    ["not a URL", "console.example.com"],
    ["another protocol", "ftp://console.example.com"],
    ["a user name and password", "https://user:pw@console.example.com"],
    ["a query", "https://console.example.com/?x=1"],
  ])("refuses a console URL with %s", (_case, url) => {
    expect(() => createSecretsClient({ url, token: uniqueToken() })).toThrow(SecretsConfigError);
  });

  it("refuses a negative TTL and a zero timeout", () => {
    const base = { url: "http://127.0.0.1:1", token: uniqueToken() };

    expect(() => createSecretsClient({ ...base, ttlMs: -1 })).toThrow(SecretsConfigError);
    expect(() => createSecretsClient({ ...base, timeoutMs: 0 })).toThrow(SecretsConfigError);
  });
});
