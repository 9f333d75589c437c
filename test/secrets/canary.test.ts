// Values are write-only: a unique canary is stored through every path that writes one (add,
// edit, import, copy, rollback), then every page of the console is fetched. No response body,
// header or log line may contain any canary, in any common encoding.

import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registeredApplicationRoutes } from "../../src/applications/access.ts";
import { signedInAgent } from "../support/agent.ts";
import { createTestConsole, type TestConsole } from "../support/app.ts";
import { createTeam } from "../support/factories.ts";
import { expandRoute } from "../support/paths.ts";

let testConsole: TestConsole;

beforeAll(async () => {
  testConsole = await createTestConsole();
});

afterAll(async () => {
  await testConsole.close();
});

const canaries: string[] = [];

/** A unique value, remembered so the end of the test can search for it everywhere. */
function canary(path: string): string {
  const value = `canary-${path}-${randomBytes(8).toString("hex")}`;
  canaries.push(value);
  return value;
}

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

describe("values never leave the console", () => {
  it("appear in no page, header or log line after every way of storing one", async () => {
    const team = await createTeam(testConsole.database);
    const owner = await signedInAgent(testConsole, team.owner);
    const base = `/apps/${team.application.slug}/configuration/secrets`;
    const seen: { what: string; text: string }[] = [];
    const keep = (what: string, response: { text: string; headers: Record<string, unknown> }) =>
      seen.push({ what, text: `${JSON.stringify(response.headers)}\n${response.text ?? ""}` });

    const added = canary("add");
    keep("add", await owner.post(`${base}/preview`, { name: "VIA_ADD", value: added }));

    const edited = canary("edit");
    keep("edit", await owner.post(`${base}/preview/VIA_ADD`, { value: edited, version: "1" }));
    keep(
      "rollback",
      await owner.post(`${base}/preview/VIA_ADD/rollback`, { to: "1", version: "2" }),
    );

    const imported = canary("import");
    const preview = await owner.post(`${base}/preview/import`, {
      text: `VIA_IMPORT=${imported}\nVIA_ADD=${canary("import-replace")}`,
    });
    keep("import preview", preview);
    const apply = preview.text.match(/action="([^"]+\/apply)"/)![1]!;
    keep("import apply", await owner.post(apply, { replace: "yes" }));

    keep("copy", await owner.post(`${base}/preview/copy`, { target: "production", scope: "all" }));
    keep(
      "add twice",
      await owner.post(`${base}/production`, { name: "VIA_ADD", value: canary("duplicate") }),
    );
    keep(
      "refused add",
      await owner.post(`${base}/production`, { name: "bad name", value: canary("refused") }),
    );

    // Every page declared on the application router, with each environment and secret name.
    const params: Record<string, string[]> = {
      env: team.application.environments.map((environment) => environment.slug),
      name: ["VIA_ADD", "VIA_IMPORT"],
    };
    const pages = registeredApplicationRoutes(testConsole.app).filter(
      (route) => route.method === "GET",
    );
    let fetched = 0;
    for (const route of pages) {
      for (const path of expandRoute(route.path, params)) {
        const response = await owner.get(`/apps/${team.application.slug}${path}`);
        keep(`GET ${path}`, response);
        if (response.status === 200) fetched++;
      }
    }
    for (const path of ["/", "/apps/new", "/account"]) keep(`GET ${path}`, await owner.get(path));
    expect(fetched).toBeGreaterThan(10);

    // The search works: the secrets' names, which pages do show, are found by it.
    expect(seen.some(({ text }) => text.includes("VIA_IMPORT"))).toBe(true);
    expect(canaries).toHaveLength(6);

    const logs = testConsole.logs.join("\n");
    for (const value of canaries) {
      for (const encoded of encodings(value)) {
        for (const { what, text } of seen) {
          expect(text.includes(encoded), `${what} shows ${value}`).toBe(false);
        }
        expect(logs.includes(encoded), `the log shows ${value}`).toBe(false);
      }
    }
  });
});
