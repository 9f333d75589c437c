// Master key configuration: parsing, key files and key check values.

import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { KeyFileExistsError, KeyringError, UnknownKeyError } from "../../src/crypto/errors.ts";
import {
  appendKeyToFile,
  createKeyFile,
  createKeyring,
  formatKeyringEntry,
  generateMasterKey,
  keyCheckValue,
  parseKeyring,
  readKeyFile,
} from "../../src/crypto/keyring.ts";
import { initCrypto } from "../../src/crypto/sodium.ts";

// keyCheckValue of the bytes 0..31, cross-checked with another BLAKE2b implementation. A change
// here means check values already stored in databases no longer match their keys.
const KNOWN_CHECK_VALUE = "146052e3ae37414caf42d172c2139223";

beforeAll(async () => {
  await initCrypto();
});

function base64Key(): string {
  return randomBytes(32).toString("base64");
}

function keyringError(action: () => unknown): KeyringError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(KeyringError);
    return error as KeyringError;
  }
  throw new Error("expected a KeyringError");
}

describe("parseKeyring", () => {
  it("reads entries separated by commas, spaces and newlines, skipping comments", () => {
    const [a, b, c, d] = [base64Key(), base64Key(), base64Key(), base64Key()];
    const text = `# master keys\nk1:${a}, k2:${b}\n  # old note\nk3:${c}\tk_4-x:${d}\n`;

    const keyring = parseKeyring(text);

    expect(keyring.ids).toEqual(["k1", "k2", "k3", "k_4-x"]);
    expect(Buffer.from(keyring.get("k2").key).toString("base64")).toBe(b);
    expect(keyring.has("k3")).toBe(true);
    expect(keyring.has("k5")).toBe(false);
  });

  it("makes the last entry active unless an active id is given", () => {
    const text = `k1:${base64Key()}\nk2:${base64Key()}`;

    expect(parseKeyring(text).active.id).toBe("k2");
    expect(parseKeyring(text, "k1").active.id).toBe("k1");
  });

  it("accepts url-safe base64 and a missing padding character", () => {
    const bytes = randomBytes(32);
    const text = `k1:${bytes.toString("base64url")}`;

    expect(Buffer.from(parseKeyring(text).active.key).equals(bytes)).toBe(true);
  });

  it("says which entry is not id:base64 of 32 bytes, without echoing it", () => {
    const shortKey = randomBytes(16).toString("base64");
    const longKey = randomBytes(48).toString("base64");
    const reversed = `${randomBytes(32).toString("hex").slice(0, 40)}:k1`;
    const cases = [
      { text: `k1:${base64Key()},k2:${shortKey}`, entry: 2, secret: shortKey },
      { text: `k1:${longKey}`, entry: 1, secret: longKey },
      { text: `k1:${base64Key()}\n${base64Key()}`, entry: 2, secret: "" },
      { text: reversed, entry: 1, secret: reversed.slice(0, 40) },
      { text: `bad.id:${base64Key()}`, entry: 1, secret: "" },
      { text: `k1:${"*".repeat(43)}=`, entry: 1, secret: "" },
    ];

    for (const { text, entry, secret } of cases) {
      const error = keyringError(() => parseKeyring(text));

      expect(error.message).toContain(`entry ${entry} is not id:base64 of 32 bytes`);
      if (secret !== "") {
        expect(error.message).not.toContain(secret);
      }
    }
  });

  it("never puts key material in any error message", () => {
    const key = base64Key();
    const texts = [`k1:${key},k1:${base64Key()}`, `k1:${key},k2:${key}`, `k1:${key}x`];

    for (const text of texts) {
      const error = keyringError(() => parseKeyring(text));

      expect(error.message).not.toContain(key);
      expect(error.message).not.toContain(key.slice(0, 12));
    }
  });

  it("refuses an empty text, a duplicate id and the same key under two ids", () => {
    const key = base64Key();

    expect(keyringError(() => parseKeyring("# only a comment\n \n")).message).toMatch(/no master/);
    expect(keyringError(() => parseKeyring(`k1:${key},k1:${base64Key()}`)).message).toBe(
      'the id "k1" is listed twice',
    );
    expect(keyringError(() => parseKeyring(`k1:${key},k2:${key}`)).message).toBe(
      '"k1" and "k2" hold the same key',
    );
  });

  it("refuses an active id that is not in the keyring, echoing only a valid id", () => {
    const text = `k1:${base64Key()}`;
    const pasted = base64Key();

    expect(keyringError(() => parseKeyring(text, "k9")).message).toContain('"k9"');
    expect(keyringError(() => parseKeyring(text, pasted)).message).not.toContain(pasted);
  });

  it("throws UnknownKeyError naming the missing id", () => {
    const keyring = parseKeyring(`k1:${base64Key()}`);

    expect(() => keyring.get("k2")).toThrow(UnknownKeyError);
    expect(() => keyring.get("k2")).toThrow(/"k2"/);
  });

  it("shows only key ids when a keyring is logged or serialised", () => {
    const key = base64Key();
    const keyring = parseKeyring(`k1:${key}`);
    const hex = Buffer.from(key, "base64").toString("hex");

    for (const shown of [JSON.stringify({ keyring }), inspect(keyring, { depth: 5 })]) {
      expect(shown).toContain("k1");
      expect(shown).not.toContain(key);
      expect(shown).not.toContain(hex);
    }
  });
});

describe("createKeyring", () => {
  it("copies key bytes, so wiping the caller's copy leaves the keyring working", () => {
    const generated = generateMasterKey("k1");
    const copy = Uint8Array.from(generated.key);

    const keyring = createKeyring([generated]);
    generated.key.fill(0);

    expect(keyring.get("k1").key).toEqual(copy);
  });

  it("refuses a key that is not 32 bytes", () => {
    const error = keyringError(() => createKeyring([{ id: "k1", key: new Uint8Array(31) }]));

    expect(error.message).toBe('key 1 ("k1") is not 32 bytes');
  });
});

describe("generateMasterKey and formatKeyringEntry", () => {
  it("generates distinct 32-byte keys with a dated default id", () => {
    const first = generateMasterKey();
    const second = generateMasterKey();
    const today = new Date().toISOString().slice(0, 10).replaceAll("-", "");

    expect(first.key).toHaveLength(32);
    expect(first.id).toMatch(new RegExp(`^k${today}-[0-9a-f]{4}$`));
    expect(Buffer.from(first.key).equals(Buffer.from(second.key))).toBe(false);
  });

  it("keeps a chosen id and refuses an invalid one", () => {
    expect(generateMasterKey("rotation_2").id).toBe("rotation_2");
    expect(() => generateMasterKey("has space")).toThrow(KeyringError);
    expect(() => generateMasterKey("x".repeat(65))).toThrow(KeyringError);
  });

  it("formats an entry that parses back to the same key", () => {
    const key = generateMasterKey("k1");

    const parsed = parseKeyring(formatKeyringEntry(key)).get("k1");

    expect(parsed.key).toEqual(key.key);
  });
});

describe("keyCheckValue", () => {
  it("is 16 bytes, stable for a key and different for another key", () => {
    const first = generateMasterKey();
    const second = generateMasterKey();

    expect(keyCheckValue(first.key)).toHaveLength(16);
    expect(keyCheckValue(first.key)).toEqual(keyCheckValue(Uint8Array.from(first.key)));
    expect(keyCheckValue(first.key)).not.toEqual(keyCheckValue(second.key));
  });

  it("matches a value computed once, so stored check values stay valid", () => {
    const key = new Uint8Array(32).map((_, index) => index);

    expect(Buffer.from(keyCheckValue(key)).toString("hex")).toBe(KNOWN_CHECK_VALUE);
  });

  it("refuses a key that is not 32 bytes", () => {
    expect(() => keyCheckValue(new Uint8Array(16))).toThrow(KeyringError);
  });
});

describe("key files", () => {
  const folders: string[] = [];

  async function tempFolder(): Promise<string> {
    const folder = await mkdtemp(join(tmpdir(), "keyring-test-"));
    folders.push(folder);
    return folder;
  }

  afterEach(async () => {
    await Promise.all(folders.splice(0).map((folder) => rm(folder, { recursive: true })));
  });

  it("creates a key file readable by its owner only, holding the returned key", async () => {
    const path = join(await tempFolder(), "nested", "master.keys");

    const key = await createKeyFile(path);

    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const keyring = await readKeyFile(path);
    expect(keyring.ids).toEqual([key.id]);
    expect(keyring.active.key).toEqual(key.key);
  });

  it("never overwrites an existing key file", async () => {
    const path = join(await tempFolder(), "master.keys");
    await writeFile(path, "k1:existing-content\n");

    await expect(createKeyFile(path)).rejects.toBeInstanceOf(KeyFileExistsError);
    expect(await readFile(path, "utf8")).toBe("k1:existing-content\n");
  });

  it("appends a key that becomes the active one at the next read", async () => {
    const path = join(await tempFolder(), "master.keys");
    const first = await createKeyFile(path);
    const second = generateMasterKey("k2");

    await appendKeyToFile(path, second);

    const keyring = await readKeyFile(path);
    expect(keyring.ids).toEqual([first.id, "k2"]);
    expect(keyring.active.id).toBe("k2");
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it("appends on a new line when the file lacks a final newline", async () => {
    const path = join(await tempFolder(), "master.keys");
    await writeFile(path, `k1:${base64Key()}`);

    await appendKeyToFile(path, generateMasterKey("k2"));

    expect((await readKeyFile(path)).ids).toEqual(["k1", "k2"]);
  });

  it("refuses to append an id the file already holds, leaving it unchanged", async () => {
    const path = join(await tempFolder(), "master.keys");
    const first = await createKeyFile(path);
    const before = await readFile(path, "utf8");

    const sameId = generateMasterKey(first.id);

    await expect(appendKeyToFile(path, sameId)).rejects.toThrow(KeyringError);
    expect(await readFile(path, "utf8")).toBe(before);
  });

  it("reports a missing key file by path and reason", async () => {
    const path = join(await tempFolder(), "absent.keys");

    await expect(readKeyFile(path)).rejects.toThrow(`the key file ${path} could not be read`);
  });
});
