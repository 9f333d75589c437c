// Envelope encryption of secret values: each stored version is sealed under its own data key,
// and only that data key is wrapped under a master key, so rotating master keys never touches
// the values themselves. docs/encryption.md describes the format and what it protects against.

import { randomBytes } from "node:crypto";
import { DecryptionError, InvalidValueError } from "./errors.ts";
import type { Keyring, MasterKey } from "./keyring.ts";
import { readySodium, type Sodium } from "./sodium.ts";

export { initCrypto } from "./sodium.ts";

/** Where a value belongs. Every field is bound to the ciphertext and to its wrapped data key. */
export interface SecretValueContext {
  readonly applicationId: string;
  readonly environmentId: string;
  readonly secretName: string;
  readonly version: number;
}

/** A data key sealed under the master key `keyId`, stored as nonce || ciphertext. */
export interface WrappedDataKey {
  readonly wrappedKey: Uint8Array;
  readonly keyId: string;
}

/** What the database stores for one secret version; none of it is secret on its own. */
export interface SealedValue extends WrappedDataKey {
  readonly ciphertext: Uint8Array;
  readonly nonce: Uint8Array;
}

export const DATA_KEY_BYTES = 32;
export const NONCE_BYTES = 24;
export const TAG_BYTES = 16;
export const WRAPPED_KEY_BYTES = NONCE_BYTES + DATA_KEY_BYTES + TAG_BYTES;

// The associated data starts with a format tag and a purpose byte, so a value's associated data
// can never equal a wrapped key's, and a later format can change the layout without confusion.
const FORMAT_TAG = Buffer.from("scv1", "ascii");
const PURPOSE_VALUE = 1;
const PURPOSE_DATA_KEY = 2;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

// ignoreBOM keeps a value that starts with U+FEFF exactly as it was saved.
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Seals a value under a fresh data key, wrapped under the keyring's active master key. */
export function sealValue(
  plaintext: string,
  context: SecretValueContext,
  keyring: Keyring,
): SealedValue {
  const sodium = readySodium();
  const master = keyring.active;
  const valueData = associatedData(PURPOSE_VALUE, context);

  if (LONE_SURROGATE.test(plaintext)) {
    throw new InvalidValueError();
  }

  const message = Buffer.from(plaintext, "utf8");
  const dataKey = randomBytes(DATA_KEY_BYTES);
  const nonce = randomBytes(NONCE_BYTES);
  try {
    const ciphertext = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
      message,
      valueData,
      null,
      nonce,
      dataKey,
    );
    const wrappedKey = wrapDataKey(sodium, dataKey, context, master);
    return { ciphertext, nonce: new Uint8Array(nonce), wrappedKey, keyId: master.id };
  } finally {
    dataKey.fill(0);
    message.fill(0);
  }
}

/**
 * Opens a sealed value for the context it was sealed for. Throws `UnknownKeyError` when the
 * keyring lacks its master key, and `DecryptionError` for anything that does not authenticate.
 */
export function openValue(
  sealed: SealedValue,
  context: SecretValueContext,
  keyring: Keyring,
): string {
  const sodium = readySodium();
  const valueData = associatedData(PURPOSE_VALUE, context);
  const dataKey = unwrapDataKey(sodium, sealed, context, keyring);

  let message: Uint8Array | undefined;
  try {
    if (sealed.nonce.length !== NONCE_BYTES || sealed.ciphertext.length < TAG_BYTES) {
      throw new DecryptionError(sealed.keyId, "value");
    }
    message = sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      sealed.ciphertext,
      valueData,
      sealed.nonce,
      dataKey,
    );
    return UTF8.decode(message);
  } catch (error) {
    throw error instanceof DecryptionError ? error : new DecryptionError(sealed.keyId, "value");
  } finally {
    dataKey.fill(0);
    message?.fill(0);
  }
}

/**
 * Re-wraps a value's data key under another master key (the active one by default) without
 * opening the value, which keeps rotating every row cheap. The value's ciphertext and nonce
 * stay as they are; only `wrappedKey` and `keyId` change.
 */
export function rewrapKey(
  sealed: WrappedDataKey,
  context: SecretValueContext,
  keyring: Keyring,
  toKeyId: string = keyring.active.id,
): WrappedDataKey {
  const sodium = readySodium();
  const target = keyring.get(toKeyId);
  const dataKey = unwrapDataKey(sodium, sealed, context, keyring);

  try {
    return { wrappedKey: wrapDataKey(sodium, dataKey, context, target), keyId: target.id };
  } finally {
    dataKey.fill(0);
  }
}

function wrapDataKey(
  sodium: Sodium,
  dataKey: Uint8Array,
  context: SecretValueContext,
  master: MasterKey,
): Uint8Array {
  const nonce = randomBytes(NONCE_BYTES);
  const sealedKey = sodium.crypto_aead_xchacha20poly1305_ietf_encrypt(
    dataKey,
    associatedData(PURPOSE_DATA_KEY, context, master.id),
    null,
    nonce,
    master.key,
  );

  const wrapped = new Uint8Array(WRAPPED_KEY_BYTES);
  wrapped.set(nonce);
  wrapped.set(sealedKey, NONCE_BYTES);
  return wrapped;
}

/** The plain data key; the caller wipes it. */
function unwrapDataKey(
  sodium: Sodium,
  sealed: WrappedDataKey,
  context: SecretValueContext,
  keyring: Keyring,
): Uint8Array {
  const master = keyring.get(sealed.keyId);
  const keyData = associatedData(PURPOSE_DATA_KEY, context, master.id);

  if (sealed.wrappedKey.length !== WRAPPED_KEY_BYTES) {
    throw new DecryptionError(master.id, "data key");
  }

  try {
    return sodium.crypto_aead_xchacha20poly1305_ietf_decrypt(
      null,
      sealed.wrappedKey.subarray(NONCE_BYTES),
      keyData,
      sealed.wrappedKey.subarray(0, NONCE_BYTES),
      master.key,
    );
  } catch {
    throw new DecryptionError(master.id, "data key");
  }
}

/**
 * Encodes the context without ambiguity: "scv1", a purpose byte, then each text field as a
 * 4-byte big-endian length and its UTF-8 bytes, the version as 8 bytes, and for a wrapped data
 * key the master key id, length-prefixed too.
 */
function associatedData(
  purpose: number,
  context: SecretValueContext,
  masterKeyId?: string,
): Uint8Array {
  checkContext(context);

  const texts = [context.applicationId, context.environmentId, context.secretName];
  const fields = texts.map((text) => Buffer.from(text, "utf8"));
  const keyField = masterKeyId === undefined ? undefined : Buffer.from(masterKeyId, "utf8");
  const fieldBytes = [...fields, ...(keyField ? [keyField] : [])].reduce(
    (sum, field) => sum + 4 + field.length,
    0,
  );

  const out = Buffer.alloc(FORMAT_TAG.length + 1 + fieldBytes + 8);
  let at = FORMAT_TAG.copy(out, 0);
  at = out.writeUInt8(purpose, at);
  for (const field of fields) {
    at = out.writeUInt32BE(field.length, at);
    at += field.copy(out, at);
  }
  at = out.writeBigUInt64BE(BigInt(context.version), at);
  if (keyField) {
    at = out.writeUInt32BE(keyField.length, at);
    keyField.copy(out, at);
  }
  return out;
}

// A malformed context is a programming error, not bad user input, so built-in errors fit.
function checkContext(context: SecretValueContext): void {
  for (const name of ["applicationId", "environmentId", "secretName"] as const) {
    const text = context[name];
    if (typeof text !== "string" || text === "" || LONE_SURROGATE.test(text)) {
      throw new TypeError(`the context's ${name} must be a non-empty, well-formed string`);
    }
  }
  if (!Number.isSafeInteger(context.version) || context.version < 0) {
    throw new RangeError("the context's version must be a non-negative integer");
  }
}
