// The runtime path's proof that values reach the runtime and nothing else: with canary values
// stored, runtime tokens created, used and revoked, every page of the console is fetched by an
// owner and a viewer. No page, header or log line holds a canary, and a runtime token appears
// in exactly one response: the one that created it.

import { randomBytes } from "node:crypto";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registeredApplicationRoutes } from "../../src/applications/access.ts";
import { signedInAgent } from "../support/agent.ts";
import { createTeam } from "../support/factories.ts";
import { expandRoute } from "../support/paths.ts";
import { bearer, type RuntimeTestConsole, runtimeTestConsole, storeSecrets } from "./helpers.ts";

let testConsole: RuntimeTestConsole;

beforeAll(async () => {
  testConsole = await runtimeTestConsole();
});

afterAll(async () => {
  await testConsole.close();
});

const TOKEN = /scrt_[A-Za-z0-9_-]{43}/g;

function encodings(value: string): string[] {
  const bytes = Buffer.from(value, "utf8");
  return [
    value,
    bytes.toString("hex"),
    bytes.toString("base64"),
    bytes.toString("base64url"),
    encodeURIComponent(value),
  ];
}

type Seen = { what: string; text: string };

function seenOf(what: string, response: request.Response): Seen {
  return { what, text: `${JSON.stringify(response.headers)}\n${response.text ?? ""}` };
}

describe("runtime tokens and values never reach a console page", () => {
  it("finds no canary anywhere and each token only on its creation response", async () => {
    const team = await createTeam(testConsole.database);
    const owner = await signedInAgent(testConsole, team.owner);
    const viewer = await signedInAgent(testConsole, team.viewer);
    const slug = team.application.slug;
    const canaries = {
      preview: { SF_CLIENT_ID: canary(), SF_CLIENT_SECRET: canary() },
      production: { SF_CLIENT_ID: canary(), SF_CLIENT_SECRET: canary() },
    };
    for (const [environment, values] of Object.entries(canaries)) {
      await storeSecrets(
        testConsole.database,
        testConsole.keyring,
        team.owner,
        team.application,
        environment,
        values,
      );
    }

    // Tokens made through the tab: one per environment, and one revoked after use.
    const created: { token: string; response: Seen }[] = [];
    for (const [environment, label] of [
      ["preview", "preview web"],
      ["production", "production web"],
      ["production", "retired worker"],
    ] as const) {
      const response = await owner.post(`/apps/${slug}/configuration/runtime/tokens`, {
        label,
        environment,
      });
      expect(response.status).toBe(201);
      const shown = response.text.match(TOKEN) ?? [];
      expect(shown).toHaveLength(1);
      created.push({ token: shown[0]!, response: seenOf(`create ${label}`, response) });
    }
    const tokens = created.map((entry) => entry.token);

    // The runtime reads (those answers hold values, as they must), then one token is revoked.
    for (const token of tokens) {
      const read = await request(testConsole.app)
        .get("/runtime/v1/secrets")
        .set(bearer(token))
        .set("X-Feature", "lead-sync");
      expect(read.status).toBe(200);
    }
    await testConsole.runtime.flush();

    const seen: Seen[] = [];
    const pagesBase = `/apps/${slug}/configuration/runtime`;
    const list = await owner.get(pagesBase);
    const retiredRow = [...list.text.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].find((row) =>
      row[1]!.includes("retired worker"),
    )!;
    const retiredId = /tokens\/([0-9a-f-]{36})\/revoke/.exec(retiredRow[1]!)![1];
    const revoke = await owner.post(`${pagesBase}/tokens/${retiredId}/revoke`);
    seen.push(seenOf("revoke", revoke));
    expect(
      (await request(testConsole.app).get("/runtime/v1/secrets").set(bearer(tokens[2]!))).status,
    ).toBe(401);

    // Every page declared on the application router, as an owner and as a viewer.
    const params: Record<string, string[]> = {
      env: team.application.environments.map((environment) => environment.slug),
      name: ["SF_CLIENT_ID", "SF_CLIENT_SECRET"],
    };
    const pages = registeredApplicationRoutes(testConsole.app).filter(
      (route) => route.method === "GET",
    );
    let fetched = 0;
    for (const client of [owner, viewer]) {
      for (const route of pages) {
        for (const path of expandRoute(route.path, params)) {
          const response = await client.get(`/apps/${slug}${path}`);
          seen.push(seenOf(`GET ${path}`, response));
          if (response.status === 200) fetched++;
        }
      }
      for (const path of ["/", "/apps/new", "/account"]) {
        seen.push(seenOf(`GET ${path}`, await client.get(path)));
      }
    }
    expect(fetched).toBeGreaterThan(10);

    // The search works: the pages do show the tokens' hints and what the runtime read.
    const runtimePage = seen.find(({ what }) => what === "GET /configuration/runtime")!;
    for (const token of tokens) expect(runtimePage.text).toContain(`${token.slice(0, 9)}…`);
    expect(runtimePage.text).toContain("lead-sync");

    const values = Object.values(canaries).flatMap((values) => Object.values(values));
    const logs = testConsole.logs.join("\n");
    const everything = [...seen, ...created.map((entry) => entry.response)];
    for (const value of values) {
      for (const encoded of encodings(value)) {
        for (const { what, text } of everything) {
          expect(text.includes(encoded), `${what} shows a value`).toBe(false);
        }
        expect(logs.includes(encoded), "the log shows a value").toBe(false);
      }
    }
    for (const [index, token] of tokens.entries()) {
      for (const encoded of encodings(token.slice(5))) {
        for (const { what, text } of seen) {
          expect(text.includes(encoded), `${what} shows a runtime token`).toBe(false);
        }
        expect(logs.includes(encoded), "the log shows a runtime token").toBe(false);
        for (const [other, entry] of created.entries()) {
          if (other !== index) expect(entry.response.text.includes(encoded)).toBe(false);
        }
      }
    }
  });
});

function canary(): string {
  return `canary-runtime-${randomBytes(8).toString("hex")}`;
}
