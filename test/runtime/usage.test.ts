// Counting what the runtime reads: per secret, feature and day, gathered in memory and written
// by a flush; a token's last use at most once a minute; one use audit event per token per hour.

import { and, asc, eq } from "drizzle-orm";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { applications } from "../../src/applications/tables.ts";
import { auditEvents } from "../../src/audit/tables.ts";
import { runtimeTokens, secretReads } from "../../src/runtime/tables.ts";
import { createTeam } from "../support/factories.ts";
import {
  bearer,
  canary,
  environmentOf,
  issueToken,
  type RuntimeTestConsole,
  runtimeTestConsole,
  storeSecrets,
} from "./helpers.ts";

let testConsole: RuntimeTestConsole;
let clock = Date.parse("2030-03-10T08:00:00Z");

beforeAll(async () => {
  testConsole = await runtimeTestConsole({ requestsPerMinute: 10_000, now: () => clock });
});

afterAll(async () => {
  await testConsole.close();
});

async function world() {
  const { database, keyring } = testConsole;
  const team = await createTeam(database);
  await storeSecrets(database, keyring, team.owner, team.application, "production", {
    SF_CLIENT_ID: canary("id"),
    SF_CLIENT_SECRET: canary("secret"),
    SF_INSTANCE_URL: canary("url"),
  });
  const token = await issueToken(database, team.owner, team.application, "production", "web");
  const environment = environmentOf(team.application, "production");
  return { team, token, environment };
}

function read(path: string, token: string, feature?: string) {
  const req = request(testConsole.app).get(path).set(bearer(token));
  return feature === undefined ? req : req.set("X-Feature", feature);
}

async function readsOf(environmentId: string) {
  return testConsole.database.db
    .select({
      secretName: secretReads.secretName,
      featureKey: secretReads.featureKey,
      day: secretReads.day,
      reads: secretReads.reads,
      lastReadAt: secretReads.lastReadAt,
    })
    .from(secretReads)
    .where(eq(secretReads.environmentId, environmentId))
    .orderBy(asc(secretReads.secretName), asc(secretReads.featureKey));
}

async function useEvents(applicationId: string) {
  return testConsole.database.db
    .select()
    .from(auditEvents)
    .where(
      and(eq(auditEvents.applicationId, applicationId), eq(auditEvents.action, "runtime.read")),
    )
    .orderBy(asc(auditEvents.createdAt));
}

async function lastUsedAt(tokenId: string): Promise<Date | null> {
  const [row] = await testConsole.database.db
    .select({ lastUsedAt: runtimeTokens.lastUsedAt })
    .from(runtimeTokens)
    .where(eq(runtimeTokens.id, tokenId));
  return row!.lastUsedAt;
}

describe("reads per secret and feature", () => {
  it("are counted in memory and written by the flush, not by each request", async () => {
    const { token, environment } = await world();

    await read("/runtime/v1/secrets", token.token, "checkout").expect(200);
    await read("/runtime/v1/secrets", token.token, "checkout").expect(200);
    await read("/runtime/v1/secrets?names=SF_CLIENT_ID", token.token, "salesforce.sync").expect(
      200,
    );
    await read("/runtime/v1/secrets/SF_CLIENT_SECRET", token.token).expect(200);
    expect(await readsOf(environment.id)).toEqual([]);
    expect(await lastUsedAt(token.id)).toBeNull();

    await testConsole.runtime.flush();

    const at = new Date(clock);
    const day = "2030-03-10";
    expect(await readsOf(environment.id)).toEqual([
      { secretName: "SF_CLIENT_ID", featureKey: "checkout", day, reads: 2, lastReadAt: at },
      { secretName: "SF_CLIENT_ID", featureKey: "salesforce.sync", day, reads: 1, lastReadAt: at },
      { secretName: "SF_CLIENT_SECRET", featureKey: "", day, reads: 1, lastReadAt: at },
      { secretName: "SF_CLIENT_SECRET", featureKey: "checkout", day, reads: 2, lastReadAt: at },
      { secretName: "SF_INSTANCE_URL", featureKey: "checkout", day, reads: 2, lastReadAt: at },
    ]);
  });

  it("add up across flushes of the same day and start a new row on the next day", async () => {
    const { token, environment } = await world();
    const path = "/runtime/v1/secrets/SF_CLIENT_ID";

    await read(path, token.token, "nightly").expect(200);
    await testConsole.runtime.flush();
    clock += 60_000;
    await read(path, token.token, "nightly").expect(200);
    await read(path, token.token, "nightly").expect(200);
    await testConsole.runtime.flush();

    const [sameDay] = await readsOf(environment.id);
    expect(sameDay).toMatchObject({ reads: 3, lastReadAt: new Date(clock) });

    clock += 24 * 3_600_000;
    await read(path, token.token, "nightly").expect(200);
    await testConsole.runtime.flush();
    expect((await readsOf(environment.id)).map((row) => row.reads)).toEqual([3, 1]);
  });

  it("count nothing for a refused request or a secret the environment lacks", async () => {
    const { token, environment } = await world();

    await read("/runtime/v1/secrets/NOT_THERE", token.token, "checkout").expect(404);
    await read("/runtime/v1/secrets", token.token, "Bad Feature").expect(400);
    await read("/runtime/v1/secrets?environment=preview", token.token, "checkout").expect(401);
    await testConsole.runtime.flush();

    expect(await readsOf(environment.id)).toEqual([]);
  });

  it("are written on the flush interval without being asked", async () => {
    const quick = await runtimeTestConsole({ flushIntervalMs: 50 });
    try {
      const team = await createTeam(quick.database);
      await storeSecrets(quick.database, quick.keyring, team.owner, team.application, "preview", {
        API_KEY: canary(),
      });
      const token = await issueToken(quick.database, team.owner, team.application, "preview");
      await request(quick.app)
        .get("/runtime/v1/secrets")
        .set(bearer(token.token))
        .set("X-Feature", "search")
        .expect(200);

      const environment = environmentOf(team.application, "preview");
      await vi.waitFor(
        async () => {
          const rows = await quick.database.db
            .select({ reads: secretReads.reads, featureKey: secretReads.featureKey })
            .from(secretReads)
            .where(eq(secretReads.environmentId, environment.id));
          expect(rows).toEqual([{ reads: 1, featureKey: "search" }]);
        },
        { timeout: 5_000, interval: 50 },
      );
    } finally {
      await quick.close();
    }
  });

  it("of an application deleted before the flush are dropped, and the flush succeeds", async () => {
    const { team, token } = await world();
    await read("/runtime/v1/secrets", token.token, "checkout").expect(200);

    await testConsole.database.db
      .delete(applications)
      .where(eq(applications.id, team.application.id));

    await expect(testConsole.runtime.flush()).resolves.toBeUndefined();
    await expect(testConsole.runtime.flush()).resolves.toBeUndefined();
  });
});

describe("a runtime token's use", () => {
  it("moves last_used_at at most once a minute", async () => {
    const { token } = await world();
    const path = "/runtime/v1/secrets/SF_CLIENT_ID";

    await read(path, token.token).expect(200);
    await testConsole.runtime.flush();
    const first = new Date(clock);
    expect(await lastUsedAt(token.id)).toEqual(first);

    clock += 30_000;
    await read(path, token.token).expect(200);
    await testConsole.runtime.flush();
    expect(await lastUsedAt(token.id)).toEqual(first);

    clock += 31_000;
    await read(path, token.token).expect(200);
    await testConsole.runtime.flush();
    expect(await lastUsedAt(token.id)).toEqual(new Date(clock));
  });

  it("is audited once per hour with the number of requests, in the flush", async () => {
    const { team, token } = await world();
    const path = "/runtime/v1/secrets/SF_CLIENT_ID";

    await read(path, token.token).expect(200);
    await read(path, token.token).expect(200);
    expect(await useEvents(team.application.id)).toEqual([]);
    await testConsole.runtime.flush();

    clock += 20 * 60_000;
    await read(path, token.token).expect(200);
    await testConsole.runtime.flush();
    clock += 41 * 60_000;
    await read(path, token.token).expect(200);
    await read(path, token.token).expect(200);
    await testConsole.runtime.flush();

    const events = await useEvents(team.application.id);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      actorId: null,
      actorName: `Runtime token web (${token.hint}…)`,
      environmentName: "Production",
      detail: { label: "web", hint: token.hint, requests: 2 },
    });
    expect(events[1]!.detail).toMatchObject({ requests: 3 });
  });
});
