// The runtime client when things go wrong: an unreachable, failing, slow or rate-limiting
// console, with and without last known values, and the runtime token kept out of every message.
import { inspect } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import {
  createSecretsClient,
  SecretsAuthError,
  type SecretsClientError,
  type SecretsClientOptions,
  SecretsRateLimitedError,
  SecretsUnavailableError,
} from "../../src/runtime/client.ts";
import type { StubRuntimeApi } from "../support/stub-runtime-api.ts";
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

describe("when the console is unavailable", () => {
  it("throws a SecretsUnavailableError naming the URL when nothing was loaded yet", async () => {
    const { stub, token } = await productionConsole();
    const client = clientFor(stub, token);
    await stub.close();

    const error = await rejectionOf(client.getAll());

    expect(error).toBeInstanceOf(SecretsUnavailableError);
    expect(error.message).toContain(`${stub.url}/runtime/v1/secrets`);
    expect(error.message).toMatch(/unreachable: .*ECONNREFUSED/);
  });

  it("serves last known values when the console is closed, and says so", async () => {
    const { stub, token } = await productionConsole({ SF_CLIENT_ID: "known" });
    const clock = manualClock();
    const reported: SecretsClientError[] = [];
    const client = clientFor(stub, token, {
      now: clock.now,
      onError: (error) => reported.push(error),
    });
    await client.getAll();

    await stub.close();
    clock.advance(30_000);

    expect(await client.get("SF_CLIENT_ID")).toBe("known");
    expect(client.stale).toBe(true);
    expect(client.lastError).toBeInstanceOf(SecretsUnavailableError);
    expect(reported).toHaveLength(1);
  });

  it("keeps serving last known values when the onError callback throws", async () => {
    const { stub, token } = await productionConsole({ SF_CLIENT_ID: "known" });
    const clock = manualClock();
    const onError = () => {
      throw new Error("logger broke");
    };
    const client = clientFor(stub, token, { now: clock.now, onError });
    await client.getAll();

    stub.setMode({ kind: "server-error" });
    clock.advance(30_000);

    expect(await client.get("SF_CLIENT_ID")).toBe("known");
  });

  it("serves last known values through a 500 and recovers once the console does", async () => {
    const { stub, token } = await productionConsole({ SF_CLIENT_ID: "known" });
    const clock = manualClock();
    const client = clientFor(stub, token, { now: clock.now });
    await client.getAll();

    stub.setMode({ kind: "server-error" });
    clock.advance(30_000);
    expect(await client.get("SF_CLIENT_ID")).toBe("known");
    expect(client.lastError?.message).toContain("answered 500 (Internal error)");

    stub.setMode({ kind: "normal" });
    stub.setSecret("Production", "SF_CLIENT_ID", "fresh");
    clock.advance(30_000);
    expect(await client.get("SF_CLIENT_ID")).toBe("fresh");
    expect(client.stale).toBe(false);
    expect(client.lastError).toBeUndefined();
  });

  it("does not ask a failing console again on every call", async () => {
    const { stub, token } = await productionConsole();
    const clock = manualClock();
    const client = clientFor(stub, token, { now: clock.now, ttlMs: 10_000 });
    await client.getAll();

    stub.setMode({ kind: "server-error" });
    clock.advance(10_000);
    await client.getAll();
    await client.getAll();
    clock.advance(5_000);
    await client.getAll();

    expect(stub.requests).toHaveLength(2);
  });

  it("throws on a 500 when nothing was loaded yet", async () => {
    const { stub, token } = await productionConsole();
    stub.setMode({ kind: "server-error" });

    const error = await rejectionOf(clientFor(stub, token).getAll());

    expect(error).toBeInstanceOf(SecretsUnavailableError);
    expect(error.message).toContain("answered 500");
  });

  it("gives up after the timeout when the console does not answer", async () => {
    const { stub, token } = await productionConsole();
    stub.setMode({ kind: "hang" });

    const error = await rejectionOf(clientFor(stub, token, { timeoutMs: 200 }).getAll());

    expect(error).toBeInstanceOf(SecretsUnavailableError);
    expect(error.message).toContain("did not answer within 200 ms");
  });

  it("treats an answer without secrets as unavailable", async () => {
    const token = uniqueToken();
    const client = createSecretsClient({
      url: "http://127.0.0.1:9",
      token,
      fetch: async () => Response.json({ environment: "Production", secrets: { A: 1 } }),
    });

    await expect(client.getAll()).rejects.toBeInstanceOf(SecretsUnavailableError);
  });

  it("waits out Retry-After before asking a rate-limiting console again", async () => {
    const { stub, token } = await productionConsole();
    const clock = manualClock();
    stub.setMode({ kind: "rate-limited", retryAfterSeconds: 7 });
    const client = clientFor(stub, token, { now: clock.now });

    const error = await rejectionOf(client.getAll());
    expect(error).toBeInstanceOf(SecretsRateLimitedError);
    expect((error as SecretsRateLimitedError).retryAfterMs).toBe(7_000);

    stub.setMode({ kind: "normal" });
    clock.advance(6_999);
    await expect(client.refresh()).rejects.toBeInstanceOf(SecretsRateLimitedError);
    expect(stub.requests).toHaveLength(1);

    clock.advance(1);
    expect(await client.get("SF_CLIENT_ID")).toBe("id-1");
  });
});

describe("keeping the runtime token out of messages", () => {
  function expectNoToken(error: unknown, token: string) {
    expect(error).toBeInstanceOf(Error);
    expect(String(error)).not.toContain(token);
    expect(inspect(error, { depth: 5 })).not.toContain(token);
    expect(JSON.stringify(error)).not.toContain(token);
  }

  it("leaves it out of every failure the console can cause", async () => {
    const { stub, token } = await productionConsole();
    const errors: unknown[] = [];

    for (const mode of [
      { kind: "server-error" },
      { kind: "rate-limited", retryAfterSeconds: 1 },
      { kind: "hang" },
    ] as const) {
      stub.setMode(mode);
      errors.push(await rejectionOf(clientFor(stub, token, { timeoutMs: 100 }).getAll()));
    }
    stub.setMode({ kind: "normal" });
    stub.revokeToken(token);
    errors.push(await rejectionOf(clientFor(stub, token).getAll()));
    await stub.close();
    errors.push(await rejectionOf(clientFor(stub, token).getAll()));

    expect(errors).toHaveLength(5);
    for (const error of errors) expectNoToken(error, token);
  });

  it("removes it when the console echoes it in its error", async () => {
    const token = uniqueToken();
    const client = createSecretsClient({
      url: "http://127.0.0.1:9",
      token,
      fetch: async () => Response.json({ error: `Token ${token} was revoked` }, { status: 401 }),
    });

    const error = await rejectionOf(client.getAll());

    expect(error).toBeInstanceOf(SecretsAuthError);
    expect(error.message).toContain("Token [runtime token] was revoked");
    expectNoToken(error, token);
  });

  it("removes it when the network layer mentions it", async () => {
    const token = uniqueToken();
    const client = createSecretsClient({
      url: "http://127.0.0.1:9",
      token,
      fetch: async () => {
        throw new TypeError("fetch failed", { cause: new Error(`bad header Bearer ${token}`) });
      },
    });

    const error = await rejectionOf(client.getAll());

    expect(error).toBeInstanceOf(SecretsUnavailableError);
    expectNoToken(error, token);
  });
});
