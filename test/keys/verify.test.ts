import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { StartupError } from "../../src/core/errors.ts";
import { initCrypto } from "../../src/crypto/envelope.ts";
import { createKeyring, generateMasterKey } from "../../src/crypto/keyring.ts";
import { rotateDataKeys } from "../../src/keys/rotation.ts";
import { verifyKeyring } from "../../src/keys/verify.ts";
import { createTestDatabase, type TestDatabase } from "../support/database.ts";
import { dumpTables } from "../support/dump.ts";
import { keyOf, openAllVersions, seedSecretVersions } from "../support/seed.ts";

let database: TestDatabase;

beforeAll(async () => {
  await initCrypto();
});

afterEach(async () => {
  await database?.close();
});

async function refusal(work: Promise<unknown>): Promise<string> {
  const error = await work.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(StartupError);
  return (error as StartupError).message;
}

describe("checking the keyring at start", () => {
  it("refuses a wrong key under a known id, names the id, and changes nothing", async () => {
    database = await createTestDatabase();
    const right = generateMasterKey("k-main");
    await verifyKeyring(database, createKeyring([right]));
    await seedSecretVersions(database, createKeyring([right]), {
      secrets: 3,
      versionsPerSecret: 1,
    });
    const before = await dumpTables(database);

    const wrong = createKeyring([generateMasterKey("k-main")]);
    const message = await refusal(verifyKeyring(database, wrong));

    expect(message).toMatch(/^Master key k-main is not the key this database was encrypted with/);
    expect(await dumpTables(database)).toEqual(before);
  });

  it("refuses a keyring that lacks a key still wrapping values, and changes nothing", async () => {
    database = await createTestDatabase();
    const old = generateMasterKey("k-old");
    await verifyKeyring(database, createKeyring([old]));
    await seedSecretVersions(database, createKeyring([old]), { secrets: 3, versionsPerSecret: 1 });
    const before = await dumpTables(database);

    const message = await refusal(
      verifyKeyring(database, createKeyring([generateMasterKey("k-new")])),
    );

    expect(message).toMatch(/^Master key k-old wraps stored values but is not in the keyring/);
    expect(await dumpTables(database)).toEqual(before);
  });

  it("starts without the old key once rotation has moved every data key", async () => {
    database = await createTestDatabase();
    const old = generateMasterKey("k-old");
    const fresh = generateMasterKey("k-new");
    await verifyKeyring(database, createKeyring([old]));
    const { sample } = await seedSecretVersions(database, createKeyring([old]), {
      secrets: 40,
      versionsPerSecret: 3,
    });

    const result = await rotateDataKeys(database, createKeyring([old, fresh]), { batchSize: 7 });
    expect(result).toMatchObject({ toKeyId: "k-new", rewrapped: 120, forgottenKeyIds: ["k-old"] });

    const newOnly = createKeyring([fresh]);
    await verifyKeyring(database, newOnly);
    const values = await openAllVersions(database, newOnly);
    expect(values.size).toBe(120);
    for (const seeded of sample) {
      expect(values.get(keyOf(seeded))).toBe(seeded.value);
    }
  });
});
