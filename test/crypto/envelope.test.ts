// Envelope encryption: round trips, tamper and move detection, rotation and key wiping.

import * as nodeCrypto from "node:crypto";
import sodium from "libsodium-wrappers-sumo";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  initCrypto,
  openValue,
  rewrapKey,
  type SealedValue,
  type SecretValueContext,
  sealValue,
} from "../../src/crypto/envelope.ts";
import { DecryptionError, InvalidValueError, UnknownKeyError } from "../../src/crypto/errors.ts";
import {
  createKeyring,
  formatKeyringEntry,
  generateMasterKey,
  type Keyring,
  type MasterKey,
} from "../../src/crypto/keyring.ts";

// Records every buffer randomBytes hands out, so a test can check that data keys are wiped.
const randomOutputs = vi.hoisted(() => [] as Uint8Array[]);

vi.mock("node:crypto", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:crypto")>();
  const randomBytes = (size: number): Buffer => {
    const bytes = actual.randomBytes(size);
    randomOutputs.push(bytes);
    return bytes;
  };
  return { ...actual, default: { ...actual, randomBytes }, randomBytes };
});

beforeAll(async () => {
  await initCrypto();
});

afterEach(() => {
  vi.restoreAllMocks();
});

function context(overrides: Partial<SecretValueContext> = {}): SecretValueContext {
  return {
    applicationId: "app-7f3a",
    environmentId: "env-production",
    secretName: "SALESFORCE_CONSUMER_SECRET",
    version: 3,
    ...overrides,
  };
}

function keyringWith(...ids: string[]): { keyring: Keyring; keys: MasterKey[] } {
  const keys = ids.map((id) => generateMasterKey(id));
  return { keyring: createKeyring(keys), keys };
}

function canary(): string {
  return `canary-${nodeCrypto.randomUUID()}`;
}

function flipByte(bytes: Uint8Array, index: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  copy[index]! ^= 0x01;
  return copy;
}

function decryptionError(action: () => unknown): DecryptionError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(DecryptionError);
    return error as DecryptionError;
  }
  throw new Error("expected a DecryptionError, but the value opened");
}

// Every way the plaintext could show through: raw bytes, hex, and base64 at each alignment.
function revealsText(bytes: Uint8Array, text: string): boolean {
  const haystack = Buffer.from(bytes);
  const needle = Buffer.from(text, "utf8");
  const needleBase64 = needle.toString("base64").slice(0, Math.floor(needle.length / 3) * 4);
  const shifted = [0, 1, 2].map((shift) => haystack.subarray(shift).toString("base64"));

  return (
    haystack.includes(needle) ||
    haystack.toString("hex").includes(needle.toString("hex")) ||
    shifted.some((encoded) => encoded.includes(needleBase64))
  );
}

function allBytes(sealed: SealedValue): Uint8Array {
  return Buffer.concat([
    sealed.ciphertext,
    sealed.nonce,
    sealed.wrappedKey,
    Buffer.from(sealed.keyId),
  ]);
}

describe("sealValue and openValue", () => {
  it("round-trips short, unicode, byte-order-mark and 48 KiB values", () => {
    const { keyring } = keyringWith("k1");
    const large = nodeCrypto.randomBytes(36 * 1024).toString("base64");
    const values = [
      "",
      " ",
      "x",
      "\n",
      "Grüße 🔐 ключ 秘密 \u0000 end",
      "\uFEFFstarts with BOM",
      large,
    ];

    for (const value of values) {
      const sealed = sealValue(value, context(), keyring);

      expect(openValue(sealed, context(), keyring)).toBe(value);
    }
    expect(large).toHaveLength(48 * 1024);
  });

  it("stores a 24-byte nonce, a 72-byte wrapped key and the active key id", () => {
    const { keyring } = keyringWith("k1", "k2");

    const sealed = sealValue("abc", context(), keyring);

    expect(sealed.nonce).toHaveLength(24);
    expect(sealed.wrappedKey).toHaveLength(72);
    expect(sealed.ciphertext).toHaveLength(3 + 16);
    expect(sealed.keyId).toBe("k2");
  });

  it("uses a fresh data key and nonce for every seal of the same value", () => {
    const { keyring } = keyringWith("k1");

    const first = sealValue("same value", context(), keyring);
    const second = sealValue("same value", context(), keyring);

    expect(first.ciphertext).not.toEqual(second.ciphertext);
    expect(first.nonce).not.toEqual(second.nonce);
    expect(first.wrappedKey).not.toEqual(second.wrappedKey);
  });

  it("opens values read back as Buffers, as postgres.js returns bytea", () => {
    const { keyring } = keyringWith("k1");
    const sealed = sealValue("from postgres", context(), keyring);

    const fromDriver = {
      ciphertext: Buffer.from(sealed.ciphertext),
      nonce: Buffer.from(sealed.nonce),
      wrappedKey: Buffer.from(sealed.wrappedKey),
      keyId: sealed.keyId,
    };

    expect(openValue(fromDriver, context(), keyring)).toBe("from postgres");
  });

  it("never lets the sealed bytes contain the value as utf-8, hex or base64", () => {
    const { keyring } = keyringWith("k1");
    const secret = canary();
    const padded = `${"p".repeat(1000)}${secret}${"q".repeat(1000)}`;

    for (const value of [secret, padded]) {
      const sealed = sealValue(value, context(), keyring);

      expect(revealsText(allBytes(sealed), secret)).toBe(false);
      expect(JSON.stringify(sealed)).not.toContain(secret);
    }
    expect(revealsText(Buffer.from(`xx${secret}`), secret)).toBe(true);
  });

  it("refuses a value with an unpaired surrogate instead of altering it", () => {
    const { keyring } = keyringWith("k1");

    expect(() => sealValue("broken \uD800 text", context(), keyring)).toThrow(InvalidValueError);
  });

  it("refuses a malformed context", () => {
    const { keyring } = keyringWith("k1");

    expect(() => sealValue("v", context({ secretName: "" }), keyring)).toThrow(TypeError);
    expect(() => sealValue("v", context({ version: 1.5 }), keyring)).toThrow(RangeError);
    expect(() => sealValue("v", context({ version: -1 }), keyring)).toThrow(RangeError);
  });
});

describe("tampering and moving", () => {
  it("fails with DecryptionError when one byte of ciphertext, nonce or wrapped key flips", () => {
    const { keyring } = keyringWith("k1");
    const secret = canary();
    const sealed = sealValue(secret, context(), keyring);
    const parts = ["ciphertext", "nonce", "wrappedKey"] as const;

    for (const part of parts) {
      for (let index = 0; index < sealed[part].length; index += 1) {
        const tampered = { ...sealed, [part]: flipByte(sealed[part], index) };

        const error = decryptionError(() => openValue(tampered, context(), keyring));

        expect(error.message).not.toContain(secret);
      }
    }
  });

  it("fails with DecryptionError when a part is truncated, extended or emptied", () => {
    const { keyring } = keyringWith("k1");
    const sealed = sealValue("value", context(), keyring);

    for (const part of ["ciphertext", "nonce", "wrappedKey"] as const) {
      const bytes = sealed[part];
      const variants = [bytes.subarray(1), Buffer.concat([bytes, Buffer.of(0)]), new Uint8Array()];

      for (const variant of variants) {
        decryptionError(() => openValue({ ...sealed, [part]: variant }, context(), keyring));
      }
    }
  });

  it("fails with DecryptionError when any field of the context differs", () => {
    const { keyring } = keyringWith("k1");
    const sealed = sealValue("bound value", context(), keyring);
    const moved = [
      context({ applicationId: "app-other" }),
      context({ environmentId: "env-preview" }),
      context({ secretName: "SALESFORCE_CONSUMER_KEY" }),
      context({ version: 2 }),
      context({ version: 4 }),
    ];

    for (const elsewhere of moved) {
      decryptionError(() => openValue(sealed, elsewhere, keyring));
    }
  });

  it("tells apart contexts that naive string joining would confuse", () => {
    const { keyring } = keyringWith("k1");
    const pairs = [
      [
        { applicationId: "a", environmentId: "b:c" },
        { applicationId: "a:b", environmentId: "c" },
      ],
      [
        { applicationId: "ab", environmentId: "c" },
        { applicationId: "a", environmentId: "bc" },
      ],
      [
        { secretName: "S", version: 12 },
        { secretName: "S1", version: 2 },
      ],
    ];

    for (const [original, shifted] of pairs) {
      const sealed = sealValue("value", context(original), keyring);

      decryptionError(() => openValue(sealed, context(shifted), keyring));
    }
  });

  it("fails when ciphertexts or wrapped keys are swapped between two secret versions", () => {
    const { keyring } = keyringWith("k1");
    const first = context({ secretName: "SALESFORCE_CONSUMER_KEY" });
    const second = context({ secretName: "SALESFORCE_CONSUMER_SECRET" });
    const sealedFirst = sealValue(canary(), first, keyring);
    const sealedSecond = sealValue(canary(), second, keyring);
    const firstValue = { ciphertext: sealedFirst.ciphertext, nonce: sealedFirst.nonce };
    const secondValue = { ciphertext: sealedSecond.ciphertext, nonce: sealedSecond.nonce };

    const whole = { ...sealedFirst };
    const valueMoved = { ...sealedSecond, ...firstValue };
    const keyMoved = { ...sealedFirst, wrappedKey: sealedSecond.wrappedKey };
    const keyMovedBack = { ...sealedSecond, ...firstValue, wrappedKey: sealedFirst.wrappedKey };

    decryptionError(() => openValue(whole, second, keyring));
    decryptionError(() => openValue(valueMoved, second, keyring));
    decryptionError(() => openValue(keyMoved, first, keyring));
    decryptionError(() => openValue({ ...keyMovedBack, ...secondValue }, second, keyring));
  });
});

describe("master keys", () => {
  it("fails with DecryptionError under a different key with the same id", () => {
    const { keyring } = keyringWith("k1");
    const impostor = createKeyring([generateMasterKey("k1")]);
    const sealed = sealValue("value", context(), keyring);

    const error = decryptionError(() => openValue(sealed, context(), impostor));

    expect(error.keyId).toBe("k1");
    expect(error.message).toContain('"k1"');
  });

  it("fails with DecryptionError when the key id is relabelled to another known key", () => {
    const { keyring } = keyringWith("k1", "k2");
    const sealed = sealValue("value", context(), keyring);

    decryptionError(() => openValue({ ...sealed, keyId: "k1" }, context(), keyring));
  });

  it("throws UnknownKeyError when the keyring lacks the value's key", () => {
    const { keyring } = keyringWith("k1");
    const sealed = sealValue("value", context(), keyring);

    expect(() => openValue(sealed, context(), keyringWith("k2").keyring)).toThrow(UnknownKeyError);
  });

  it("never names the value or the master key in a decryption error", () => {
    const { keyring, keys } = keyringWith("k1");
    const secret = canary();
    const sealed = sealValue(secret, context(), keyring);
    const entry = formatKeyringEntry(keys[0]!);

    const error = decryptionError(() => openValue(sealed, context({ version: 9 }), keyring));

    for (const text of [error.message, String(error.stack), JSON.stringify(error)]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(entry.split(":")[1]);
    }
  });
});

describe("rewrapKey", () => {
  it("moves a value to a new master key without touching its ciphertext", () => {
    const oldKey = generateMasterKey("old");
    const newKey = generateMasterKey("new");
    const secret = canary();
    const sealed = sealValue(secret, context(), createKeyring([oldKey]));

    const rewrapped = rewrapKey(sealed, context(), createKeyring([oldKey, newKey]), "new");
    const moved = { ...sealed, ...rewrapped };

    expect(rewrapped.keyId).toBe("new");
    expect(openValue(moved, context(), createKeyring([newKey]))).toBe(secret);
    expect(() => openValue(moved, context(), createKeyring([oldKey]))).toThrow(UnknownKeyError);
  });

  it("defaults to the active key and leaves the old wrapping useless under the new key", () => {
    const oldKey = generateMasterKey("old");
    const newKey = generateMasterKey("new");
    const sealed = sealValue("value", context(), createKeyring([oldKey]));
    const both = createKeyring([oldKey, newKey]);

    const rewrapped = rewrapKey(sealed, context(), both);
    const onlyNew = createKeyring([newKey]);

    expect(rewrapped.keyId).toBe("new");
    expect(() => openValue(sealed, context(), onlyNew)).toThrow(UnknownKeyError);
    decryptionError(() => openValue({ ...sealed, keyId: "new" }, context(), onlyNew));
  });

  it("refuses a tampered wrapped key or another version's context", () => {
    const { keyring } = keyringWith("old", "new");
    const sealed = sealValue("value", context(), keyring);
    const tampered = { ...sealed, wrappedKey: flipByte(sealed.wrappedKey, 40) };

    decryptionError(() => rewrapKey(tampered, context(), keyring, "new"));
    decryptionError(() => rewrapKey(sealed, context({ version: 2 }), keyring, "new"));
    expect(() => rewrapKey(sealed, context(), keyring, "absent")).toThrow(UnknownKeyError);
  });
});

describe("wiping", () => {
  it("zeroes the data key once a value is sealed", () => {
    const { keyring } = keyringWith("k1");
    randomOutputs.length = 0;

    sealValue("value", context(), keyring);

    const dataKeys = randomOutputs.filter((bytes) => bytes.length === 32);
    expect(dataKeys).toHaveLength(1);
    expect(dataKeys[0]!.every((byte) => byte === 0)).toBe(true);
  });

  it("zeroes the unwrapped data key and the plaintext bytes after opening and rewrapping", () => {
    const { keyring } = keyringWith("k1", "k2");
    const sealed = sealValue("a value to forget", context(), keyring);
    const decrypt = vi.spyOn(sodium, "crypto_aead_xchacha20poly1305_ietf_decrypt");

    openValue(sealed, context(), keyring);
    rewrapKey(sealed, context(), keyring, "k1");

    const outputs = decrypt.mock.results.map((result) => result.value as Uint8Array);
    expect(outputs.map((bytes) => bytes.length)).toEqual([32, 17, 32]);
    expect(outputs.every((bytes) => bytes.every((byte) => byte === 0))).toBe(true);
  });
});

describe("readiness", () => {
  it("throws a clear error when used before initCrypto", async () => {
    vi.resetModules();
    const fresh = await import("../../src/crypto/envelope.ts");
    const { keyring } = keyringWith("k1");

    expect(() => fresh.sealValue("value", context(), keyring)).toThrow(/await initCrypto\(\)/);

    await fresh.initCrypto();
    expect(fresh.openValue(fresh.sealValue("v", context(), keyring), context(), keyring)).toBe("v");
  });
});
