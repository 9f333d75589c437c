// Rotation as an operator runs it: the rotate-key command over 100,000 stored versions,
// killed halfway, run again, and every value read back under the new key alone.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openEmbedded } from "../../src/core/db/client.ts";
import { migrate } from "../../src/core/db/migrate.ts";
import { secretVersions } from "../../src/core/db/schema.ts";
import { initCrypto } from "../../src/crypto/envelope.ts";
import { createKeyring, formatKeyringEntry, generateMasterKey } from "../../src/crypto/keyring.ts";
import { verifyKeyring } from "../../src/keys/verify.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { finished, spawnEntry } from "../support/process.ts";
import { keyOf, openAllVersions, type SeededVersion, seedSecretVersions } from "../support/seed.ts";

const VERSIONS = 100_000;
const oldKey = generateMasterKey("k-2025");
const newKey = generateMasterKey("k-2026");

/** Where the CLI finds the database: a data directory (embedded) or a server URL. */
let place: NodeJS.ProcessEnv;
let open: () => Promise<Database>;
let serverDatabase: TestDatabase | undefined;
let sample: SeededVersion[];

beforeAll(async () => {
  await initCrypto();
  serverDatabase = await createTestDatabase();

  if (serverDatabase.url) {
    place = { DATABASE_URL: serverDatabase.url };
    open = async () => serverDatabase!;
  } else {
    await serverDatabase.close();
    serverDatabase = undefined;
    const dataDir = mkdtempSync(path.join(tmpdir(), "secrets-console-rotation-"));
    place = { DATA_DIR: dataDir };
    open = async () => {
      const database = await openEmbedded({ dataDir: path.join(dataDir, "pglite") });
      await migrate(database);
      return database;
    };
  }

  const database = await open();
  await verifyKeyring(database, createKeyring([oldKey]));
  ({ sample } = await seedSecretVersions(database, createKeyring([oldKey]), {
    secrets: VERSIONS / 10,
    versionsPerSecret: 10,
  }));
  if (!serverDatabase) await database.close();
}, 180_000);

afterAll(async () => {
  await serverDatabase?.close();
});

function rotateKey(keys: string) {
  return spawnEntry("src/cli.ts", { ...place, SECRETS_MASTER_KEYS: keys }, [
    "rotate-key",
    "--batch-size",
    "1000",
  ]);
}

async function countUnder(database: Database, keyId: string): Promise<number> {
  const [row] = await database.db
    .select({ n: count() })
    .from(secretVersions)
    .where(eq(secretVersions.keyId, keyId));
  return row!.n;
}

describe("rotating the master key", () => {
  it("re-wraps 100,000 versions, survives a kill halfway, and needs only the new key", async () => {
    const bothKeys = `${formatKeyringEntry(oldKey)},${formatKeyringEntry(newKey)}`;

    // First run: killed once at least half of the data keys have moved.
    const first = rotateKey(bothKeys);
    let output = "";
    await new Promise<void>((resolve, reject) => {
      first.stdout?.on("data", (chunk) => {
        output += chunk;
        const moved = [...output.matchAll(/Re-wrapped (\d+) data keys/g)].map((m) => Number(m[1]));
        if (moved.length > 0 && moved[moved.length - 1]! >= VERSIONS / 2) {
          first.kill("SIGKILL");
          resolve();
        }
      });
      first.on("exit", () => reject(new Error(`rotation ended before halfway:\n${output}`)));
    });

    let database = await open();
    const movedBeforeKill = await countUnder(database, newKey.id);
    expect(movedBeforeKill).toBeGreaterThanOrEqual(VERSIONS / 2);
    expect(movedBeforeKill).toBeLessThan(VERSIONS);
    if (!serverDatabase) await database.close();

    // Second run: picks up the rest and finishes.
    const second = await finished(rotateKey(bothKeys));
    expect(second.code).toBe(0);
    expect(second.output).toContain(`Every data key is wrapped under master key ${newKey.id}`);
    expect(second.output).toContain(`No stored value needs ${oldKey.id} any more`);

    database = await open();
    expect(await countUnder(database, newKey.id)).toBe(VERSIONS);
    const newOnly = createKeyring([newKey]);
    await verifyKeyring(database, newOnly);
    const values = await openAllVersions(database, newOnly);
    expect(values.size).toBe(VERSIONS);
    for (const seeded of sample) {
      expect(values.get(keyOf(seeded))).toBe(seeded.value);
    }
    if (!serverDatabase) await database.close();

    // And the console's own start accepts the keyring without the old key.
    const check = await finished(
      spawnEntry("src/cli.ts", { ...place, SECRETS_MASTER_KEYS: formatKeyringEntry(newKey) }, [
        "rotate-key",
      ]),
    );
    expect(check.code).toBe(0);
    expect(check.output).toContain("(0 re-wrapped in this run)");
  }, 240_000);
});
