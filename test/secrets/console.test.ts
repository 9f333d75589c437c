// The Secrets tab through HTTP: the article's steps (Add secret, Edit, More options, Delete,
// OK), versions and rollback, restore, and bad input for each, which must change nothing.

import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents, secrets } from "../../src/core/db/schema.ts";
import { readCurrentValues } from "../../src/secrets/queries.ts";
import { type SignedInAgent, signedInAgent } from "../support/agent.ts";
import { createTestConsole, type TestConsole } from "../support/app.ts";
import { dumpTables } from "../support/dump.ts";
import { createTeam, type TestTeam, unique } from "../support/factories.ts";

let testConsole: TestConsole;

beforeAll(async () => {
  testConsole = await createTestConsole();
});

afterAll(async () => {
  await testConsole.close();
});

interface Setup {
  team: TestTeam;
  owner: SignedInAgent;
  base: string;
  preview: TestTeam["application"]["environments"][number];
  production: TestTeam["application"]["environments"][number];
}

async function setup(): Promise<Setup> {
  const team = await createTeam(testConsole.database);
  const owner = await signedInAgent(testConsole, team.owner);
  const [preview, production] = team.application.environments;
  return {
    team,
    owner,
    base: `/apps/${team.application.slug}/configuration/secrets`,
    preview: preview!,
    production: production!,
  };
}

async function valuesOf(s: Setup, environment: { id: string }) {
  return readCurrentValues(testConsole.database.db, testConsole.keyring, {
    id: environment.id,
    applicationId: s.team.application.id,
  });
}

async function unchanged(work: () => Promise<unknown>) {
  const before = await dumpTables(testConsole.database);
  await work();
  expect(await dumpTables(testConsole.database)).toEqual(before);
}

describe("adding a secret", () => {
  it("follows the article: Secrets tab, Add secret, Secret name, Value, Save", async () => {
    const s = await setup();
    const tab = await s.owner.get(s.base).expect(200);
    expect(tab.text).toContain("Add secret");
    expect(tab.text).toContain("Preview");

    const form = await s.owner.get(`${s.base}/preview/new`).expect(200);
    expect(form.text).toMatch(/<label for="field-name">Secret name<\/label>/);
    expect(form.text).toMatch(/<label for="field-value">Value<\/label>/);
    expect(form.text).toContain(">Save</button>");

    const saved = await s.owner
      .post(`${s.base}/preview`, { name: "SALESFORCE_CLIENT_ID", value: "consumer-key-1" })
      .expect(303);
    expect(saved.headers.location).toBe(`${s.base}?environment=preview`);

    const after = await s.owner.get(saved.headers.location!).expect(200);
    expect(after.text).toContain("SALESFORCE_CLIENT_ID saved in Preview.");
    expect(after.text).toContain("SALESFORCE_CLIENT_ID");
    expect(after.text).not.toContain("consumer-key-1");
    expect((await valuesOf(s, s.preview)).get("SALESFORCE_CLIENT_ID")).toBe("consumer-key-1");
    expect((await valuesOf(s, s.production)).size).toBe(0);
  });

  it("adds to several environments at once", async () => {
    const s = await setup();
    await s.owner
      .post(`${s.base}/preview`, {
        name: "API_KEY",
        value: "both-envs",
        environments: ["preview", "production"],
      })
      .expect(303);
    expect((await valuesOf(s, s.preview)).get("API_KEY")).toBe("both-envs");
    expect((await valuesOf(s, s.production)).get("API_KEY")).toBe("both-envs");
  });

  it("offers a lower-case name in upper case and says so", async () => {
    const s = await setup();
    const saved = await s.owner
      .post(`${s.base}/preview`, { name: "salesforce_instance_url", value: "https://x" })
      .expect(303);
    const page = await s.owner.get(saved.headers.location!);
    expect(page.text).toContain("The name was saved as SALESFORCE_INSTANCE_URL.");
    expect((await valuesOf(s, s.preview)).has("SALESFORCE_INSTANCE_URL")).toBe(true);
  });

  it("warns about a value ending with a line break, saves it, and never echoes it", async () => {
    const s = await setup();
    const saved = await s.owner
      .post(`${s.base}/preview`, { name: "SECRET_WITH_NEWLINE", value: "canary-nl-7731\n" })
      .expect(303);
    const page = await s.owner.get(saved.headers.location!);
    expect(page.text).toMatch(/line break/);
    expect(page.text).not.toContain("canary-nl-7731");
    expect((await valuesOf(s, s.preview)).get("SECRET_WITH_NEWLINE")).toBe("canary-nl-7731\n");
  });

  const refusals: [string, Record<string, string | string[]>, RegExp][] = [
    [
      "a name with a dash",
      { name: "BAD-NAME", value: "v" },
      /may not contain.*Did you mean BAD_NAME\?/s,
    ],
    ["a name starting with a digit", { name: "1ABC", value: "v" }, /digit/],
    ["an empty name", { name: "", value: "v" }, /Enter a secret name/],
    ["a name of 129 characters", { name: "A".repeat(129), value: "v" }, /128/],
    ["an empty value", { name: "EMPTY_VALUE", value: "" }, /Enter a value|empty/i],
    ["a value of 48 KiB + 1", { name: "BIG", value: "x".repeat(49_153) }, /48 KiB/],
    ["no environment", { name: "NO_ENV", value: "v", environmentsOffered: "1" }, /at least one/],
    [
      "an unknown environment",
      { name: "UNKNOWN_ENV", value: "v", environments: "staging" },
      /at least one/,
    ],
  ];

  for (const [what, form, message] of refusals) {
    it(`refuses ${what} with a clear message and changes nothing`, async () => {
      const s = await setup();
      await unchanged(async () => {
        const page = await s.owner.post(`${s.base}/preview`, form).expect(400);
        expect(page.text).toMatch(message);
        expect(page.text).not.toContain("x".repeat(100));
      });
    });
  }

  it("keeps the typed name, never the value, when a form is refused", async () => {
    const s = await setup();
    const page = await s.owner
      .post(`${s.base}/preview`, { name: "KEPT_NAME", value: "", environments: "preview" })
      .expect(400);
    expect(page.text).toContain('value="KEPT_NAME"');
    const refusedValue = await s.owner
      .post(`${s.base}/preview`, { name: "BAD NAME", value: "canary-kept-9912" })
      .expect(400);
    expect(refusedValue.text).not.toContain("canary-kept-9912");
  });

  it("refuses a name already present with a link to Edit, and changes nothing", async () => {
    const s = await setup();
    await s.owner.post(`${s.base}/preview`, { name: "DUPLICATE", value: "first" }).expect(303);
    await unchanged(async () => {
      const page = await s.owner
        .post(`${s.base}/preview`, { name: "DUPLICATE", value: "second" })
        .expect(409);
      expect(page.text).toContain("DUPLICATE already exists in Preview");
      expect(page.text).toContain(`href="${s.base}/preview/DUPLICATE/edit"`);
    });
    expect((await valuesOf(s, s.preview)).get("DUPLICATE")).toBe("first");
  });

  it("answers 404 for an environment of another application, changing nothing", async () => {
    const s = await setup();
    const other = await setup();
    await unchanged(async () => {
      await s.owner
        .post(`/apps/${other.team.application.slug}/configuration/secrets/preview`, {
          name: "CROSS",
          value: "v",
        })
        .expect(404);
      await s.owner.post(`${s.base}/no-such-env`, { name: "CROSS", value: "v" }).expect(404);
    });
  });
});

describe("editing a secret", () => {
  it("saves a new value as the next version", async () => {
    const s = await setup();
    await s.owner.post(`${s.base}/preview`, { name: "ROTATED", value: "old" }).expect(303);
    const form = await s.owner.get(`${s.base}/preview/ROTATED/edit`).expect(200);
    expect(form.text).toContain('name="version" value="1"');
    expect(form.text).not.toContain(">old<");

    await s.owner.post(`${s.base}/preview/ROTATED`, { value: "new", version: "1" }).expect(303);
    expect((await valuesOf(s, s.preview)).get("ROTATED")).toBe("new");
    const tab = await s.owner.get(`${s.base}?environment=preview`);
    expect(tab.text).toContain("v2");
  });

  it("refuses a stale version with who changed it and when, overwriting nothing", async () => {
    const s = await setup();
    await s.owner.post(`${s.base}/preview`, { name: "RACED", value: "v1" }).expect(303);
    await s.owner.post(`${s.base}/preview/RACED`, { value: "v2", version: "1" }).expect(303);

    await unchanged(async () => {
      const page = await s.owner
        .post(`${s.base}/preview/RACED`, { value: "late", version: "1" })
        .expect(409);
      expect(page.text).toContain(s.team.owner.name);
      expect(page.text).toContain("Nothing was saved and nothing was overwritten.");
      expect(page.text).toMatch(/<time datetime="/);
    });
    expect((await valuesOf(s, s.preview)).get("RACED")).toBe("v2");
  });

  it("refuses an empty or oversized value or a missing version, changing nothing", async () => {
    const s = await setup();
    await s.owner.post(`${s.base}/preview`, { name: "KEEP", value: "kept" }).expect(303);
    await unchanged(async () => {
      await s.owner.post(`${s.base}/preview/KEEP`, { value: "", version: "1" }).expect(400);
      await s.owner
        .post(`${s.base}/preview/KEEP`, { value: "y".repeat(49_153), version: "1" })
        .expect(400);
      await s.owner.post(`${s.base}/preview/KEEP`, { value: "z" }).expect(400);
      await s.owner.post(`${s.base}/preview/KEEP`, { value: "z", version: "abc" }).expect(400);
      await s.owner.post(`${s.base}/preview/MISSING`, { value: "z", version: "1" }).expect(404);
      await s.owner.post(`${s.base}/preview/bad-name`, { value: "z", version: "1" }).expect(404);
    });
  });
});

describe("versions and rollback", () => {
  it("lists versions with who and when, and rolls back as a new version", async () => {
    const s = await setup();
    await s.owner.post(`${s.base}/preview`, { name: "ROLL", value: "one" }).expect(303);
    await s.owner.post(`${s.base}/preview/ROLL`, { value: "two", version: "1" }).expect(303);

    const versions = await s.owner.get(`${s.base}/preview/ROLL/versions`).expect(200);
    expect(versions.text).toContain("v1");
    expect(versions.text).toContain("v2");
    expect(versions.text).toContain(s.team.owner.name);

    await s.owner.post(`${s.base}/preview/ROLL/rollback`, { to: "1", version: "2" }).expect(303);
    expect((await valuesOf(s, s.preview)).get("ROLL")).toBe("one");

    await unchanged(async () => {
      await s.owner.post(`${s.base}/preview/ROLL/rollback`, { to: "1", version: "2" }).expect(409);
      await s.owner.post(`${s.base}/preview/ROLL/rollback`, { to: "9", version: "3" }).expect(404);
      await s.owner.post(`${s.base}/preview/ROLL/rollback`, { version: "3" }).expect(400);
    });
  });
});

describe("deleting and restoring", () => {
  it("follows the article: More options, Delete, a confirmation, OK", async () => {
    const s = await setup();
    await s.owner.post(`${s.base}/preview`, { name: "DOOMED", value: "bye" }).expect(303);
    const tab = await s.owner.get(`${s.base}?environment=preview`);
    expect(tab.text).toContain("More options");
    expect(tab.text).toContain(`href="${s.base}/preview/DOOMED/delete">Delete</a>`);

    const confirm = await s.owner.get(`${s.base}/preview/DOOMED/delete`).expect(200);
    expect(confirm.text).toMatch(/breaks every feature/);
    expect(confirm.text).toContain(">OK</button>");
    expect(confirm.text).toContain(">Cancel</a>");

    await s.owner.post(`${s.base}/preview/DOOMED/delete`, { version: "1" }).expect(303);
    expect((await valuesOf(s, s.preview)).has("DOOMED")).toBe(false);

    const deleted = await s.owner.get(`${s.base}/preview/deleted`).expect(200);
    expect(deleted.text).toContain("DOOMED");
    const [row] = await testConsole.database.db
      .select({ id: secrets.id })
      .from(secrets)
      .where(and(eq(secrets.environmentId, s.preview.id), eq(secrets.name, "DOOMED")));
    await s.owner.post(`${s.base}/preview/deleted/${row!.id}/restore`).expect(303);
    expect((await valuesOf(s, s.preview)).get("DOOMED")).toBe("bye");
  });

  it("refuses a stale delete and a restore over a live name, changing nothing", async () => {
    const s = await setup();
    await s.owner.post(`${s.base}/preview`, { name: "TWICE", value: "a" }).expect(303);
    await s.owner.post(`${s.base}/preview/TWICE`, { value: "b", version: "1" }).expect(303);
    await unchanged(() =>
      s.owner.post(`${s.base}/preview/TWICE/delete`, { version: "1" }).expect(409),
    );

    await s.owner.post(`${s.base}/preview/TWICE/delete`, { version: "2" }).expect(303);
    await s.owner.post(`${s.base}/preview`, { name: "TWICE", value: "c" }).expect(303);
    const [old] = await testConsole.database.db
      .select({ id: secrets.id })
      .from(secrets)
      .where(and(eq(secrets.environmentId, s.preview.id), eq(secrets.name, "TWICE")))
      .orderBy(secrets.createdAt);
    await unchanged(async () => {
      const page = await s.owner.post(`${s.base}/preview/deleted/${old!.id}/restore`).expect(409);
      expect(page.text).toContain("TWICE exists again in Preview");
      await s.owner.post(`${s.base}/preview/deleted/not-a-uuid/restore`).expect(404);
      await s.owner.post(`${s.base}/production/deleted/${old!.id}/restore`).expect(404);
    });
  });
});

describe("the audit log", () => {
  it("records each change with its actor, environment and version, never a value", async () => {
    const s = await setup();
    const tag = unique();
    await s.owner.post(`${s.base}/preview`, { name: "AUDITED", value: `canary-a-${tag}` });
    await s.owner.post(`${s.base}/preview/AUDITED`, { value: `canary-b-${tag}`, version: "1" });
    await s.owner.post(`${s.base}/preview/AUDITED/rollback`, { to: "1", version: "2" });
    await s.owner.post(`${s.base}/preview/AUDITED/delete`, { version: "3" });

    const events = await testConsole.database.db
      .select()
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.applicationId, s.team.application.id),
          eq(auditEvents.secretName, "AUDITED"),
        ),
      )
      .orderBy(auditEvents.createdAt);
    expect(events.map((e) => [e.action, e.environmentName, e.version, e.actorId])).toEqual([
      ["secret.added", "Preview", 1, s.team.owner.id],
      ["secret.updated", "Preview", 2, s.team.owner.id],
      ["secret.rolled_back", "Preview", 3, s.team.owner.id],
      ["secret.deleted", "Preview", 3, s.team.owner.id],
    ]);
    expect(JSON.stringify(events)).not.toContain(tag);
  });
});
