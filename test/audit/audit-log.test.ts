import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { purgeDeletedSecrets } from "../../src/secrets/changes.ts";
import { signedInAgent } from "../support/agent.ts";
import { createTestConsole, type TestConsole } from "../support/app.ts";
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
  const viewer = await signedInAgent(testConsole, team.viewer);
  const app = `/apps/${team.application.slug}`;
  return { team, owner, viewer, app, secrets: `${app}/configuration/secrets` };
}

function rowsOf(html: string): string[] {
  return [...html.matchAll(/<tr>\s*<td><time[\s\S]*?<\/tr>/g)].map((m) =>
    m[0]
      .replace(/<[^>]+>/g, " ")
      .replace(/\s+/g, " ")
      .trim(),
  );
}

describe("the audit log page", () => {
  it("shows every action with actor, environment and version, newest first", async () => {
    const s = await setup();
    const who = s.team.owner.name;
    await s.owner.post(`${s.secrets}/preview`, { name: "LOGGED", value: "canary-log-1" });
    await s.owner.post(`${s.secrets}/preview/LOGGED`, { value: "canary-log-2", version: "1" });
    await s.owner.post(`${s.secrets}/preview/LOGGED/rollback`, { to: "1", version: "2" });
    const preview = await s.owner.post(`${s.secrets}/preview/import`, { text: "FROM_FILE=x" });
    const apply = preview.text.match(/action="([^"]+\/apply)"/)![1]!;
    await s.owner.post(apply, {});
    await s.owner.post(`${s.secrets}/preview/copy`, { target: "production", scope: "all" });
    await s.owner.post(`${s.secrets}/preview/LOGGED/delete`, { version: "3" });

    const page = await s.viewer.get(`${s.app}/audit`).expect(200);
    const rows = rowsOf(page.text);
    expect(page.text).not.toContain("canary-log");
    expect(rows.slice(0, 6)).toEqual([
      expect.stringContaining(`${who} Preview deleted LOGGED (at version 3)`),
      expect.stringMatching(new RegExp(`${who} Production copied (FROM_FILE|LOGGED) from Preview`)),
      expect.stringMatching(new RegExp(`${who} Production copied (FROM_FILE|LOGGED) from Preview`)),
      expect.stringContaining(`${who} Preview imported FROM_FILE from a .env file (version 1)`),
      expect.stringContaining(
        `${who} Preview rolled LOGGED back to the value of version 1 (version 3)`,
      ),
      expect.stringContaining(`${who} Preview saved a new value of LOGGED (version 2)`),
    ]);
  });

  it("filters by environment and by secret", async () => {
    const s = await setup();
    await s.owner.post(`${s.secrets}/preview`, {
      name: "EVERYWHERE",
      value: "v",
      environments: ["preview", "production"],
    });
    await s.owner.post(`${s.secrets}/preview`, { name: "OTHER", value: "v" });

    const production = rowsOf((await s.owner.get(`${s.app}/audit?environment=production`)).text);
    expect(production).toHaveLength(1);
    expect(production[0]).toContain("Production added EVERYWHERE");

    const bySecret = rowsOf((await s.owner.get(`${s.app}/audit?secret=everywhere`)).text);
    expect(bySecret).toHaveLength(2);
    await s.owner.get(`${s.app}/audit?environment=nowhere`).expect(404);
  });

  it("records the purge of a secret deleted more than 30 days ago", async () => {
    const s = await setup();
    await s.owner.post(`${s.secrets}/preview`, { name: "OLD", value: "v" });
    await s.owner.post(`${s.secrets}/preview/OLD/delete`, { version: "1" });

    const waiting = await s.owner.get(`${s.secrets}/preview/deleted`);
    expect(waiting.text).toContain("<code>OLD</code>");
    expect(await purgeDeletedSecrets(testConsole.database, new Date())).toBe(0);
    const later = new Date(Date.now() + 31 * 86_400_000);
    expect(await purgeDeletedSecrets(testConsole.database, later)).toBeGreaterThanOrEqual(1);

    const deleted = await s.owner.get(`${s.secrets}/preview/deleted`);
    expect(deleted.text).not.toContain("<code>OLD</code>");
    const log = rowsOf((await s.owner.get(`${s.app}/audit?secret=OLD`)).text);
    expect(log[0]).toContain(
      "Secrets console Preview purged OLD, deleted more than 30 days before",
    );
  });
});
