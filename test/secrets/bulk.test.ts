// Import of pasted .env text (preview, then apply) and copy between environments.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCurrentValues } from "../../src/secrets/queries.ts";
import { type SignedInAgent, signedInAgent } from "../support/agent.ts";
import { createTestConsole, type TestConsole } from "../support/app.ts";
import { dumpTables } from "../support/dump.ts";
import { createTeam, type TestTeam } from "../support/factories.ts";

let testConsole: TestConsole;

beforeAll(async () => {
  testConsole = await createTestConsole();
});

afterAll(async () => {
  await testConsole.close();
});

async function setup() {
  const team: TestTeam = await createTeam(testConsole.database);
  const owner: SignedInAgent = await signedInAgent(testConsole, team.owner);
  const [preview, production] = team.application.environments;
  const values = (environment: { id: string }) =>
    readCurrentValues(testConsole.database.db, testConsole.keyring, {
      id: environment.id,
      applicationId: team.application.id,
    });
  return {
    team,
    owner,
    base: `/apps/${team.application.slug}/configuration/secrets`,
    preview: preview!,
    production: production!,
    values,
  };
}

function applyPath(html: string): string {
  const match = html.match(/action="([^"]+\/apply)"/);
  if (!match) throw new Error("no apply form in the preview");
  return match[1]!;
}

describe("importing a .env file", () => {
  it("previews names to add, replace and leave alone, then applies them together", async () => {
    const s = await setup();
    await s.owner.post(`${s.base}/preview`, { name: "SAME", value: "same-value" }).expect(303);
    await s.owner.post(`${s.base}/preview`, { name: "CHANGED", value: "old-value" }).expect(303);

    const text = [
      "# pasted from the old host",
      "export NEW_ONE=canary-import-1",
      'CHANGED="canary-import-2"',
      "SAME='same-value'",
      "bad-name=x",
      "NO_EQUALS_SIGN",
    ].join("\n");
    const before = await dumpTables(testConsole.database);
    const preview = await s.owner.post(`${s.base}/preview/import`, { text }).expect(200);

    expect(preview.text).toMatch(/To add \(1\)[\s\S]*NEW_ONE/);
    expect(preview.text).toMatch(/To replace \(1\)[\s\S]*CHANGED/);
    expect(preview.text).toMatch(/same value \(1\)[\s\S]*SAME/);
    expect(preview.text).toMatch(/Line 5:/);
    expect(preview.text).toMatch(/Line 6:/);
    expect(preview.text).not.toContain("canary-import");
    expect((await s.values(s.preview)).get("CHANGED")).toBe("old-value");
    // Only the sealed pending import was stored; no secret changed yet.
    const after = await dumpTables(testConsole.database);
    expect(after["public.secrets"]).toEqual(before["public.secrets"]);

    await s.owner.post(applyPath(preview.text), { replace: "yes" }).expect(303);
    const values = await s.values(s.preview);
    expect(values.get("NEW_ONE")).toBe("canary-import-1");
    expect(values.get("CHANGED")).toBe("canary-import-2");
    expect(values.get("SAME")).toBe("same-value");

    // An applied import cannot be applied twice.
    await s.owner.post(applyPath(preview.text), { replace: "yes" }).expect(400);
  });

  it("leaves changed names alone when replacing is not chosen", async () => {
    const s = await setup();
    await s.owner.post(`${s.base}/preview`, { name: "KEEP_ME", value: "original" }).expect(303);
    const preview = await s.owner
      .post(`${s.base}/preview/import`, { text: "KEEP_ME=other\nADDED=1" })
      .expect(200);
    await s.owner.post(applyPath(preview.text), {}).expect(303);
    const values = await s.values(s.preview);
    expect(values.get("KEEP_ME")).toBe("original");
    expect(values.get("ADDED")).toBe("1");
  });

  it("refuses empty or wholly unusable text, and a foreign or malformed import id", async () => {
    const s = await setup();
    const other = await setup();
    const before = await dumpTables(testConsole.database);
    const empty = await s.owner.post(`${s.base}/preview/import`, { text: "" }).expect(400);
    expect(empty.text).toContain("Paste the contents of a .env file.");
    const junk = await s.owner
      .post(`${s.base}/preview/import`, { text: "not a dotenv line" })
      .expect(400);
    expect(junk.text).toMatch(/Line 1:/);
    expect(await dumpTables(testConsole.database)).toEqual(before);

    const preview = await other.owner
      .post(`${other.base}/preview/import`, { text: "THEIRS=1" })
      .expect(200);
    const foreignId = applyPath(preview.text).split("/").at(-2)!;
    await s.owner.post(`${s.base}/preview/import/${foreignId}/apply`, {}).expect(400);
    await s.owner.post(`${s.base}/preview/import/not-a-uuid/apply`, {}).expect(400);
    expect((await s.values(s.preview)).has("THEIRS")).toBe(false);
  });
});

describe("copying to another environment", () => {
  it("copies all secrets server-side and lists names that exist, leaving them alone", async () => {
    const s = await setup();
    await s.owner.post(`${s.base}/preview`, { name: "ONE", value: "1" }).expect(303);
    await s.owner.post(`${s.base}/preview`, { name: "TWO", value: "2" }).expect(303);
    await s.owner.post(`${s.base}/production`, { name: "TWO", value: "prod-2" }).expect(303);

    const done = await s.owner
      .post(`${s.base}/preview/copy`, { target: "production", scope: "all" })
      .expect(303);
    const page = await s.owner.get(done.headers.location!);
    expect(page.text).toContain("TWO already there and left as they were");
    const values = await s.values(s.production);
    expect(values.get("ONE")).toBe("1");
    expect(values.get("TWO")).toBe("prod-2");
  });

  it("replaces existing names when asked, and copies only the ticked ones", async () => {
    const s = await setup();
    await s.owner.post(`${s.base}/preview`, { name: "A", value: "a" }).expect(303);
    await s.owner.post(`${s.base}/preview`, { name: "B", value: "b" }).expect(303);
    await s.owner.post(`${s.base}/production`, { name: "A", value: "old-a" }).expect(303);

    await s.owner
      .post(`${s.base}/preview/copy`, {
        target: "production",
        scope: "some",
        names: "A",
        replace: "yes",
      })
      .expect(303);
    const values = await s.values(s.production);
    expect(values.get("A")).toBe("a");
    expect(values.has("B")).toBe(false);
  });

  it("refuses a copy to itself, to an unknown place or of nothing, changing nothing", async () => {
    const s = await setup();
    await s.owner.post(`${s.base}/preview`, { name: "ONLY", value: "x" }).expect(303);
    const before = await dumpTables(testConsole.database);
    await s.owner.post(`${s.base}/preview/copy`, { target: "preview", scope: "all" }).expect(400);
    await s.owner.post(`${s.base}/preview/copy`, { target: "staging", scope: "all" }).expect(404);
    await s.owner
      .post(`${s.base}/preview/copy`, { target: "production", scope: "some" })
      .expect(400);
    await s.owner
      .post(`${s.base}/preview/copy`, { target: "production", scope: "some", names: "NOPE" })
      .expect(404);
    expect(await dumpTables(testConsole.database)).toEqual(before);
  });
});
