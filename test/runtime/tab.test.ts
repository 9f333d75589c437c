// The Runtime access tab: owners create a runtime token (shown once, with how to use it) and
// revoke one; every member sees the tokens and what reads the secrets.

import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditEvents } from "../../src/audit/tables.ts";
import { runtimeTokens } from "../../src/runtime/tables.ts";
import { signedInAgent } from "../support/agent.ts";
import { dumpContains, dumpTables } from "../support/dump.ts";
import { createTeam } from "../support/factories.ts";
import {
  bearer,
  canary,
  issueToken,
  type RuntimeTestConsole,
  runtimeTestConsole,
  storeSecrets,
} from "./helpers.ts";

const PUBLIC_URL = "https://secrets.example.test";
const TOKEN = /scrt_[A-Za-z0-9_-]{43}/g;

let testConsole: RuntimeTestConsole;

beforeAll(async () => {
  testConsole = await runtimeTestConsole({}, { PUBLIC_URL });
});

afterAll(async () => {
  await testConsole.close();
});

async function world() {
  const team = await createTeam(testConsole.database);
  const value = canary("tab");
  await storeSecrets(
    testConsole.database,
    testConsole.keyring,
    team.owner,
    team.application,
    "production",
    { SF_CLIENT_ID: value },
  );
  const owner = await signedInAgent(testConsole, team.owner);
  const base = `/apps/${team.application.slug}/configuration/runtime`;
  return { team, value, owner, base };
}

function decodeHtml(text: string): string {
  return text
    .replaceAll("&#34;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}

function snippets(html: string): string[] {
  return [...html.matchAll(/<pre class="snippet"><code>([\s\S]*?)<\/code><\/pre>/g)].map((match) =>
    decodeHtml(match[1]!),
  );
}

/** Every table but the sessions' last-seen times, which move on each page. */
async function state() {
  const dump = await dumpTables(testConsole.database);
  for (const row of dump["public.sessions"] ?? []) delete row.last_seen_at;
  return dump;
}

describe("creating a runtime token", () => {
  it("shows the token once, stores only its hash, audits it, and the token works", async () => {
    const { team, value, owner, base } = await world();

    const created = await owner.post(`${base}/tokens`, {
      label: "web in eu-west",
      environment: "production",
    });
    expect(created.status).toBe(201);
    const shown = created.text.match(TOKEN) ?? [];
    expect(shown).toHaveLength(1);
    const token = shown[0]!;
    expect(Buffer.from(token.slice(5), "base64url")).toHaveLength(32);

    const [row] = await testConsole.database.db
      .select()
      .from(runtimeTokens)
      .where(eq(runtimeTokens.applicationId, team.application.id));
    expect(row).toMatchObject({
      label: "web in eu-west",
      hint: token.slice(0, 9),
      createdBy: team.owner.id,
      tokenHash: createHash("sha256").update(token).digest("hex"),
    });
    expect(dumpContains(await dumpTables(testConsole.database), token)).toBe(false);
    expect(dumpContains(await dumpTables(testConsole.database), token.slice(5))).toBe(false);

    const [event] = await testConsole.database.db
      .select()
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.applicationId, team.application.id),
          eq(auditEvents.action, "runtime_token.create"),
        ),
      );
    expect(event).toMatchObject({
      actorId: team.owner.id,
      environmentName: "Production",
      detail: { label: "web in eu-west", hint: token.slice(0, 9) },
    });

    const list = await owner.get(base);
    expect(list.text).not.toContain(token.slice(5));
    expect(list.text).toContain("web in eu-west");
    expect(list.text).toContain(`${token.slice(0, 9)}…`);

    const read = await request(testConsole.app).get("/runtime/v1/secrets").set(bearer(token));
    expect(read.body).toEqual({ environment: "Production", secrets: { SF_CLIENT_ID: value } });
  });

  it("shows how to use it, with the console's URL and the environment, never a value", async () => {
    const { team, value, owner, base } = await world();

    const created = await owner.post(`${base}/tokens`, {
      label: "worker",
      environment: "production",
    });
    const token = created.text.match(TOKEN)![0];
    const [client, run] = snippets(created.text);

    expect(client).toContain('import { createSecretsClient } from "secrets-console/client";');
    expect(client).toContain(`url: "${PUBLIC_URL}",`);
    expect(client).toContain("token: process.env.SECRETS_CONSOLE_TOKEN");
    expect(client).toContain(`Reads the Production secrets of ${team.application.name}.`);
    expect(client).toContain('await secrets.get("SF_CLIENT_ID")');
    expect(run).toContain(`npm run cli -- run --url ${PUBLIC_URL} -- node server.js`);
    expect(run).toContain(`Production secrets of ${team.application.name}`);
    for (const snippet of [client!, run!]) {
      expect(snippet).not.toContain(value);
      expect(snippet).not.toContain(token);
    }
    expect(created.text).not.toContain(value);
  });

  it("refuses an empty label or an unknown environment with 400 and changes nothing", async () => {
    const { owner, base } = await world();
    const before = await state();

    const noLabel = await owner.post(`${base}/tokens`, { label: "  ", environment: "preview" });
    expect(noLabel.status).toBe(400);
    expect(noLabel.text).toContain("Enter a label");
    const noEnvironment = await owner.post(`${base}/tokens`, {
      label: "web",
      environment: "staging",
    });
    expect(noEnvironment.status).toBe(400);
    expect(noEnvironment.text).toContain("Choose the environment the token reads.");
    const long = await owner.post(`${base}/tokens`, {
      label: "x".repeat(81),
      environment: "preview",
    });
    expect(long.status).toBe(400);

    for (const response of [noLabel, noEnvironment, long]) {
      expect(response.text.match(TOKEN)).toBeNull();
    }
    expect(await state()).toEqual(before);
  });
});

describe("revoking a runtime token", () => {
  it("refuses the token from then on and audits the revocation once", async () => {
    const { team, owner, base } = await world();
    const { id, token, hint } = await issueToken(
      testConsole.database,
      team.owner,
      team.application,
      "production",
      "old worker",
    );

    const revoked = await owner.post(`${base}/tokens/${id}/revoke`);
    expect(revoked.status).toBe(303);
    expect(revoked.headers.location).toBe(base);
    const page = await owner.get(base);
    expect(page.text).toContain("The runtime token old worker is revoked");
    expect(page.text).toMatch(/Revoked <time/);

    const again = await owner.post(`${base}/tokens/${id}/revoke`);
    expect(again.status).toBe(303);
    expect((await owner.get(base)).text).toContain("was already revoked");

    const [row] = await testConsole.database.db
      .select()
      .from(runtimeTokens)
      .where(eq(runtimeTokens.id, id));
    expect(row!.revokedAt).toBeInstanceOf(Date);
    expect(row!.revokedBy).toBe(team.owner.id);
    const events = await testConsole.database.db
      .select()
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.applicationId, team.application.id),
          eq(auditEvents.action, "runtime_token.revoke"),
        ),
      );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ detail: { label: "old worker", hint } });

    const read = await request(testConsole.app).get("/runtime/v1/secrets").set(bearer(token));
    expect(read.status).toBe(401);
  });

  it("answers 404 for a token id that is malformed or of another application", async () => {
    const mine = await world();
    const other = await world();
    const foreign = await issueToken(
      testConsole.database,
      other.team.owner,
      other.team.application,
      "preview",
    );
    const before = await state();

    const malformed = await mine.owner.post(`${mine.base}/tokens/not-a-uuid/revoke`);
    const crossed = await mine.owner.post(`${mine.base}/tokens/${foreign.id}/revoke`);
    expect(malformed.status).toBe(404);
    expect(crossed.status).toBe(404);
    expect(await state()).toEqual(before);
  });
});

describe("what members see", () => {
  it("shows a viewer the tokens, who made them and their last use, but no actions", async () => {
    const { team, base } = await world();
    const { token, hint } = await issueToken(
      testConsole.database,
      team.owner,
      team.application,
      "production",
      "reporting job",
    );
    await request(testConsole.app).get("/runtime/v1/secrets").set(bearer(token)).expect(200);
    await testConsole.runtime.flush();

    const viewer = await signedInAgent(testConsole, team.viewer);
    const page = await viewer.get(base);
    expect(page.status).toBe(200);
    expect(page.text).toContain("reporting job");
    expect(page.text).toContain(`${hint}…`);
    expect(page.text).toContain(`by ${team.owner.name}`);
    expect(page.text).not.toContain(">Never<");
    expect(page.text).not.toContain("Create token");
    expect(page.text).not.toContain("/revoke");
    expect(page.text).not.toContain(token.slice(5));
  });

  it("shows what reads which secret, per feature, once the counts are flushed", async () => {
    const { team, owner, base } = await world();
    const { token } = await issueToken(
      testConsole.database,
      team.owner,
      team.application,
      "production",
    );
    for (const feature of ["lead-sync", "lead-sync", "billing"]) {
      await request(testConsole.app)
        .get("/runtime/v1/secrets/SF_CLIENT_ID")
        .set(bearer(token))
        .set("X-Feature", feature)
        .expect(200);
    }
    expect((await owner.get(base)).text).toContain("No runtime has read a secret");

    await testConsole.runtime.flush();
    const page = await owner.get(base);
    const rows = [...page.text.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((match) =>
      match[1]!
        .replace(/<[^>]+>/g, " ")
        .replace(/\s+/g, " ")
        .trim(),
    );
    expect(rows).toContainEqual(expect.stringMatching(/^Production SF_CLIENT_ID lead-sync 2 /));
    expect(rows).toContainEqual(expect.stringMatching(/^Production SF_CLIENT_ID billing 1 /));
  });
});
