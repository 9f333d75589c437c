import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signedInAgent } from "../support/agent.ts";
import { createTestConsole, type TestConsole } from "../support/app.ts";
import { dumpTables } from "../support/dump.ts";
import { createTeam } from "../support/factories.ts";

let testConsole: TestConsole;

beforeAll(async () => {
  testConsole = await createTestConsole();
});

afterAll(async () => {
  await testConsole.close();
});

async function setup() {
  const team = await createTeam(testConsole.database);
  const owner = await signedInAgent(testConsole, team.owner);
  const base = `/apps/${team.application.slug}/configuration`;
  return { team, owner, base };
}

describe("environments", () => {
  it("starts with Preview and Production, and adds and renames others", async () => {
    const { owner, base } = await setup();
    const page = await owner.get(`${base}/environments`).expect(200);
    expect(page.text).toMatch(/Preview[\s\S]*Production/);

    await owner.post(`${base}/environments`, { name: "Staging" }).expect(303);
    const tab = await owner.get(`${base}/secrets?environment=staging`).expect(200);
    expect(tab.text).toContain('Secrets <span class="muted">in Staging');

    await owner.post(`${base}/environments/staging/rename`, { name: "QA" }).expect(303);
    const renamed = await owner.get(`${base}/secrets?environment=staging`).expect(200);
    expect(renamed.text).toContain("in QA");
  });

  it("refuses an empty, too long or taken name, changing nothing", async () => {
    const { owner, base } = await setup();
    const before = await dumpTables(testConsole.database);
    const empty = await owner.post(`${base}/environments`, { name: "  " }).expect(400);
    expect(empty.text).toContain("Enter a name for the environment.");
    await owner.post(`${base}/environments`, { name: "x".repeat(41) }).expect(400);
    const taken = await owner.post(`${base}/environments`, { name: "production" }).expect(400);
    expect(taken.text).toContain("There is already an environment called production.");
    await owner.post(`${base}/environments/preview/rename`, { name: "Production" }).expect(400);
    await owner.post(`${base}/environments/nowhere/rename`, { name: "X" }).expect(404);
    expect(await dumpTables(testConsole.database)).toEqual(before);
  });

  it("asks before removing one with secrets, says how many, then removes them", async () => {
    const { owner, base } = await setup();
    await owner
      .post(`${base}/secrets/preview`, {
        name: "GOES_AWAY",
        value: "v",
        environments: ["preview", "production"],
      })
      .expect(303);
    await owner.post(`${base}/secrets/preview`, { name: "ALSO", value: "v" }).expect(303);

    const confirm = await owner.get(`${base}/environments/preview/remove`).expect(200);
    expect(confirm.text).toContain("<strong>2 secrets</strong>");
    expect(confirm.text).toContain(">OK</button>");

    const before = await dumpTables(testConsole.database);
    await owner.post(`${base}/environments/preview/remove`, {}).expect(400);
    expect(await dumpTables(testConsole.database)).toEqual(before);

    await owner.post(`${base}/environments/preview/remove`, { confirmed: "yes" }).expect(303);
    await owner.get(`${base}/secrets?environment=preview`).expect(404);
    const production = await owner.get(`${base}/secrets?environment=production`).expect(200);
    expect(production.text).toContain("GOES_AWAY");
  });

  it("never removes the last environment", async () => {
    const { owner, base } = await setup();
    await owner.post(`${base}/environments/production/remove`, { confirmed: "yes" }).expect(303);
    const before = await dumpTables(testConsole.database);
    const page = await owner
      .post(`${base}/environments/preview/remove`, { confirmed: "yes" })
      .expect(409);
    expect(page.text).toContain("only environment");
    expect(await dumpTables(testConsole.database)).toEqual(before);
  });
});
