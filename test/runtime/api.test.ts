// The runtime API over HTTP: a runtime token reads its own environment and nothing else, and
// every other way in (no token, a wrong or revoked one, a browser session, a preflight) gets
// nothing but an error.

import { eq } from "drizzle-orm";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runtimeTokens } from "../../src/runtime/tables.ts";
import { signedInAgent } from "../support/agent.ts";
import { createTeam } from "../support/factories.ts";
import {
  bearer,
  canary,
  issueToken,
  type RuntimeTestConsole,
  runtimeTestConsole,
  storeSecrets,
} from "./helpers.ts";

let testConsole: RuntimeTestConsole;
let clock = Date.parse("2030-01-15T10:00:00Z");

beforeAll(async () => {
  testConsole = await runtimeTestConsole({ requestsPerMinute: 5, now: () => clock });
});

afterAll(async () => {
  await testConsole.close();
});

/** A team whose Preview and Production hold different canary values, and a token for each. */
async function world() {
  const { database, keyring } = testConsole;
  const team = await createTeam(database);
  const preview = { SF_CLIENT_ID: canary("preview-id"), SF_CLIENT_SECRET: canary("preview") };
  const production = { SF_CLIENT_ID: canary("prod-id"), PROD_ONLY: canary("prod-only") };
  await storeSecrets(database, keyring, team.owner, team.application, "preview", preview);
  await storeSecrets(database, keyring, team.owner, team.application, "production", production);
  const previewToken = await issueToken(database, team.owner, team.application, "preview");
  const productionToken = await issueToken(database, team.owner, team.application, "production");
  return { team, preview, production, previewToken, productionToken };
}

function read(path: string, token?: string) {
  const req = request(testConsole.app).get(path);
  return token === undefined ? req : req.set(bearer(token));
}

function expectNoValues(response: request.Response, values: Record<string, string>) {
  const text = `${JSON.stringify(response.headers)}\n${response.text}`;
  for (const value of Object.values(values)) expect(text).not.toContain(value);
}

describe("a valid runtime token", () => {
  it("reads the current values of its environment, never cached or cookied", async () => {
    const { preview, previewToken } = await world();

    const response = await read("/runtime/v1/secrets", previewToken.token);

    expect(response.status).toBe(200);
    expect(response.body).toEqual({ environment: "Preview", secrets: preview });
    expect(response.headers["cache-control"]).toBe("no-store");
    expect(response.headers["content-type"]).toMatch(/^application\/json/);
    expect(response.headers["set-cookie"]).toBeUndefined();
  });

  it("reads only the names in ?names=, leaving out names that do not exist", async () => {
    const { preview, previewToken } = await world();

    const response = await read(
      "/runtime/v1/secrets?names=SF_CLIENT_ID,NOT_THERE",
      previewToken.token,
    );

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      environment: "Preview",
      secrets: { SF_CLIENT_ID: preview.SF_CLIENT_ID },
    });
  });

  it("reads one secret by name, and answers 404 for a name the environment lacks", async () => {
    const { preview, previewToken } = await world();

    const one = await read("/runtime/v1/secrets/SF_CLIENT_SECRET", previewToken.token);
    expect(one.status).toBe(200);
    expect(one.body).toEqual({
      environment: "Preview",
      name: "SF_CLIENT_SECRET",
      value: preview.SF_CLIENT_SECRET,
    });
    expect(one.headers["cache-control"]).toBe("no-store");

    const missing = await read("/runtime/v1/secrets/NOT_THERE", previewToken.token);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toContain("Preview has no secret called NOT_THERE");
  });

  it("refuses a malformed names list or feature key with 400 and no values", async () => {
    const { preview, production, previewToken, productionToken } = await world();

    for (const path of ["/runtime/v1/secrets?names=", "/runtime/v1/secrets?names=bad-name"]) {
      const response = await read(path, previewToken.token);
      expect(response.status, path).toBe(400);
      expectNoValues(response, preview);
    }
    for (const feature of ["Checkout", "has space", "x".repeat(65), ""]) {
      const response = await read("/runtime/v1/secrets", productionToken.token).set(
        "X-Feature",
        feature,
      );
      expect(response.status, feature).toBe(400);
      expect(response.body.error).toContain("X-Feature");
      expectNoValues(response, production);
    }
  });
});

describe("the scope of a runtime token", () => {
  it("keeps a Preview token out of Production", async () => {
    const { production, previewToken } = await world();

    const all = await read("/runtime/v1/secrets", previewToken.token);
    expect(all.body.environment).toBe("Preview");
    expectNoValues(all, production);

    const one = await read("/runtime/v1/secrets/PROD_ONLY", previewToken.token);
    expect(one.status).toBe(404);
    expectNoValues(one, production);

    const pinned = await read("/runtime/v1/secrets?environment=production", previewToken.token);
    expect(pinned.status).toBe(401);
    expect(pinned.body.error).toContain("does not read the environment production");
    expectNoValues(pinned, production);
  });

  it("keeps a token of another application out of this one", async () => {
    const mine = await world();
    const other = await world();

    const response = await read("/runtime/v1/secrets", other.productionToken.token);
    expect(response.body).toEqual({ environment: "Production", secrets: other.production });
    expectNoValues(response, mine.production);

    const pinned = await read(
      `/runtime/v1/secrets?application=${mine.team.application.slug}`,
      other.productionToken.token,
    );
    expect(pinned.status).toBe(401);
    expectNoValues(pinned, mine.production);
    expectNoValues(pinned, other.production);
  });

  it("accepts a statement of its own application and environment", async () => {
    const { team, production, productionToken } = await world();

    const response = await read(
      `/runtime/v1/secrets?application=${team.application.slug}&environment=production`,
      productionToken.token,
    );
    expect(response.status).toBe(200);
    expect(response.body.secrets).toEqual(production);
  });
});

describe("refusals", () => {
  it.each([
    ["no Authorization header", undefined],
    ["a Basic header", "Basic dXNlcjpwYXNz"],
    ["Bearer without a token", "Bearer "],
    ["a token without the scrt_ prefix", `Bearer ${"a".repeat(48)}`],
    ["a token of the wrong length", "Bearer scrt_abc"],
    ["two tokens", "Bearer scrt_aaaa scrt_bbbb"],
  ])("answers %s with 401, a JSON error and no values", async (_, header) => {
    const { preview } = await world();

    const req = request(testConsole.app).get("/runtime/v1/secrets");
    const response = await (header === undefined ? req : req.set("Authorization", header));

    expect(response.status).toBe(401);
    expect(response.headers["content-type"]).toMatch(/^application\/json/);
    expect(response.headers["www-authenticate"]).toBe('Bearer realm="runtime"');
    expect(response.body.error).toEqual(expect.any(String));
    expectNoValues(response, preview);
  });

  it("answers a well-formed token the console never issued with 401", async () => {
    const { preview, previewToken } = await world();
    const forged = `scrt_${previewToken.token.slice(5).split("").reverse().join("")}`;

    const response = await read("/runtime/v1/secrets", forged);

    expect(response.status).toBe(401);
    expect(response.body.error).toBe("This runtime token is not known to the console.");
    expectNoValues(response, preview);
  });

  it("refuses a token at once when an owner revokes it in the console", async () => {
    const { team, preview, previewToken } = await world();
    expect((await read("/runtime/v1/secrets", previewToken.token)).status).toBe(200);

    const owner = await signedInAgent(testConsole, team.owner);
    const base = `/apps/${team.application.slug}/configuration/runtime`;
    const revoke = await owner.post(`${base}/tokens/${previewToken.id}/revoke`);
    expect(revoke.status).toBe(303);

    const response = await read("/runtime/v1/secrets", previewToken.token);
    expect(response.status).toBe(401);
    expect(response.body.error).toContain("revoked");
    expectNoValues(response, preview);
  });

  it("refuses a token revoked by another process once the short cache expires", async () => {
    const { preview, previewToken } = await world();
    expect((await read("/runtime/v1/secrets", previewToken.token)).status).toBe(200);

    // Revoked behind this process's back, as another console process would.
    await testConsole.database.db
      .update(runtimeTokens)
      .set({ revokedAt: new Date() })
      .where(eq(runtimeTokens.id, previewToken.id));
    clock += 5_001;

    const response = await read("/runtime/v1/secrets", previewToken.token);
    expect(response.status).toBe(401);
    expectNoValues(response, preview);
  });

  it("refuses a browser session: a cookie without a token gets 401 and no values", async () => {
    const { team, preview, production } = await world();
    const owner = await signedInAgent(testConsole, team.owner);

    for (const path of ["/runtime/v1/secrets", "/runtime/v1/secrets/SF_CLIENT_ID"]) {
      const response = await owner.get(path);
      expect(response.status, path).toBe(401);
      expectNoValues(response, preview);
      expectNoValues(response, production);
    }
  });

  it("reads with a token and a cookie only what the token allows", async () => {
    const mine = await world();
    const other = await world();
    const owner = await signedInAgent(testConsole, mine.team.owner);

    const response = await owner.get("/runtime/v1/secrets").set(bearer(other.previewToken.token));
    expect(response.body).toEqual({ environment: "Preview", secrets: other.preview });
    expectNoValues(response, mine.preview);
  });

  it("answers a CORS preflight with 405 and no Access-Control headers", async () => {
    const { preview, previewToken } = await world();

    const preflight = await request(testConsole.app)
      .options("/runtime/v1/secrets")
      .set("Origin", "https://attacker.example")
      .set("Access-Control-Request-Method", "GET")
      .set("Access-Control-Request-Headers", "authorization");
    expect(preflight.status).toBe(405);
    expect(preflight.headers["content-type"]).toMatch(/^application\/json/);
    const headerNames = Object.keys(preflight.headers);
    expect(headerNames.filter((name) => name.startsWith("access-control-"))).toEqual([]);

    const simple = await read("/runtime/v1/secrets", previewToken.token).set(
      "Origin",
      "https://attacker.example",
    );
    expect(simple.status).toBe(200);
    expect(Object.keys(simple.headers).some((name) => name.startsWith("access-control-"))).toBe(
      false,
    );
    expectNoValues(preflight, preview);
  });

  it("answers every method but GET with 405, before any token or form check", async () => {
    const { preview, previewToken } = await world();
    const app = request(testConsole.app);

    const responses = [
      await app.post("/runtime/v1/secrets").set(bearer(previewToken.token)).send("a=b"),
      await app.put("/runtime/v1/secrets/SF_CLIENT_ID").set(bearer(previewToken.token)),
      await app.delete("/runtime/v1/secrets/SF_CLIENT_ID").set(bearer(previewToken.token)),
      await app.head("/runtime/v1/secrets").set(bearer(previewToken.token)),
    ];
    for (const response of responses) {
      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe("GET");
      expectNoValues(response, preview);
    }
  });
});

describe("the rate limit", () => {
  it("answers 429 with Retry-After once a token used its requests; others go on", async () => {
    const { preview, previewToken, productionToken } = await world();

    for (let i = 0; i < 5; i++) {
      expect((await read("/runtime/v1/secrets", previewToken.token)).status).toBe(200);
    }
    const limited = await read("/runtime/v1/secrets", previewToken.token);
    expect(limited.status).toBe(429);
    expect(limited.headers["retry-after"]).toBe("12");
    expect(limited.body.error).toContain("too many requests");
    expectNoValues(limited, preview);

    expect((await read("/runtime/v1/secrets", productionToken.token)).status).toBe(200);

    clock += 12_000;
    expect((await read("/runtime/v1/secrets", previewToken.token)).status).toBe(200);
  });
});

describe("what the log keeps", () => {
  it("logs neither a runtime token nor a value", async () => {
    const { preview, previewToken } = await world();
    await read("/runtime/v1/secrets", previewToken.token).set("X-Feature", "checkout");
    await read("/runtime/v1/secrets/SF_CLIENT_ID", previewToken.token);
    await read("/runtime/v1/secrets", `${previewToken.token.slice(0, -1)}x`);

    const logs = testConsole.logs.join("\n");
    expect(logs).toContain("/runtime/v1/secrets");
    expect(logs).not.toContain(previewToken.token.slice(5));
    for (const value of Object.values(preview)) expect(logs).not.toContain(value);
  });
});
