import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/core/db/client.ts";
import { secrets, secretVersions } from "../../src/core/db/schema.ts";
import { initCrypto, openValue } from "../../src/crypto/envelope.ts";
import { DecryptionError } from "../../src/crypto/errors.ts";
import { createKeyring, generateMasterKey, keyCheckValue } from "../../src/crypto/keyring.ts";
import { verifyKeyring } from "../../src/keys/verify.ts";
import { createTestDatabase } from "../support/database.ts";
import { dumpContains, dumpTables } from "../support/dump.ts";
import { seedSecretVersions } from "../support/seed.ts";

let database: Database;

beforeAll(async () => {
  await initCrypto();
  database = await createTestDatabase();
});

afterAll(async () => {
  await database.close();
});

describe("values at rest", () => {
  it("keeps no stored value in any table, in utf-8, hex or base64", async () => {
    const keyring = createKeyring([generateMasterKey()]);
    await verifyKeyring(database, keyring);
    const { sample } = await seedSecretVersions(database, keyring, {
      secrets: 20,
      versionsPerSecret: 2,
    });
    const dump = await dumpTables(database);

    expect(sample.length).toBeGreaterThan(0);
    for (const { value } of sample) {
      expect(dumpContains(dump, value)).toBe(false);
    }
    // The search itself works: the secret names, which are stored in clear, are found.
    expect(dumpContains(dump, sample[0]!.secretName)).toBe(true);
    // No key material either: neither a master key nor its check value alone opens anything.
    const master = Buffer.from(keyring.active.key).toString("hex");
    expect(JSON.stringify(dump)).not.toContain(master);
    expect(JSON.stringify(dump)).toContain(
      Buffer.from(keyCheckValue(keyring.active.key)).toString("hex"),
    );
  });

  it("refuses to open a ciphertext copied into another version's row", async () => {
    const keyring = createKeyring([generateMasterKey()]);
    const { sample } = await seedSecretVersions(database, keyring, {
      secrets: 1,
      versionsPerSecret: 2,
    });
    const seeded = sample[0]!;
    const [secret] = await database.db
      .select()
      .from(secrets)
      .where(eq(secrets.environmentId, seeded.environmentId));
    const rows = await database.db
      .select()
      .from(secretVersions)
      .where(eq(secretVersions.secretId, secret!.id));
    const first = rows.find((row) => row.version === 1)!;
    const second = rows.find((row) => row.version === 2)!;
    const context = { ...seeded, secretName: secret!.name };

    // Each row opens where it belongs...
    expect(openValue(first, { ...context, version: 1 }, keyring)).toMatch(/^canary-/);
    // ...and version 1's sealed value, copied into version 2's row, does not.
    await database.db
      .update(secretVersions)
      .set({ ciphertext: first.ciphertext, nonce: first.nonce, wrappedKey: first.wrappedKey })
      .where(eq(secretVersions.id, second.id));
    const [moved] = await database.db
      .select()
      .from(secretVersions)
      .where(eq(secretVersions.id, second.id));
    expect(() => openValue(moved!, { ...context, version: 2 }, keyring)).toThrow(DecryptionError);
  });
});
