// Master keys: parsed from configuration text or a key file, never stored in the database.
// The database only records a key's id and its key check value, to tell keys apart.

import { randomBytes } from "node:crypto";
import { mkdir, open, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import { inspect } from "node:util";
import { KeyFileExistsError, KeyringError, UnknownKeyError } from "./errors.ts";
import { readySodium } from "./sodium.ts";

export const MASTER_KEY_BYTES = 32;
export const KEY_CHECK_VALUE_BYTES = 16;

const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

// Standard or URL-safe alphabet, padding optional: exactly what 32 bytes encode to.
const KEY_BASE64_PATTERN = /^[A-Za-z0-9+/_-]{43}=?$/;

// Changing this label changes every key check value already recorded in databases.
const KEY_CHECK_LABEL = "secrets-console master key check v1";

export interface MasterKey {
  readonly id: string;
  readonly key: Uint8Array;
}

/**
 * The master keys a process knows, one of them active for new seals. Logging or serialising a
 * keyring shows only its ids. Built by `createKeyring` or `parseKeyring`, which validate.
 */
class Keyring {
  readonly active: MasterKey;
  readonly ids: readonly string[];
  readonly #keys: ReadonlyMap<string, MasterKey>;

  constructor(keys: Map<string, MasterKey>, activeId: string) {
    this.#keys = keys;
    this.ids = Object.freeze([...keys.keys()]);
    this.active = this.get(activeId);
  }

  has(id: string): boolean {
    return this.#keys.has(id);
  }

  /** The key under `id`; throws `UnknownKeyError` when there is none. */
  get(id: string): MasterKey {
    const found = this.#keys.get(id);
    if (!found) {
      throw new UnknownKeyError(id, this.ids);
    }

    return found;
  }

  toJSON(): { ids: readonly string[]; active: string } {
    return { ids: this.ids, active: this.active.id };
  }

  [inspect.custom](): string {
    return `Keyring { ids: [${this.ids.join(", ")}], active: ${this.active.id} }`;
  }
}

export type { Keyring };

export function isValidKeyId(id: string): boolean {
  return KEY_ID_PATTERN.test(id);
}

/**
 * Builds a keyring from keys already in memory. The active key is `activeKeyId` when given,
 * else the last key listed. Key bytes are copied, so the caller may wipe its own.
 */
export function createKeyring(keys: readonly MasterKey[], activeKeyId?: string): Keyring {
  if (keys.length === 0) {
    throw new KeyringError("the keyring holds no master key");
  }

  const byId = new Map<string, MasterKey>();
  keys.forEach((entry, index) => {
    const label = `key ${index + 1}`;
    if (!isValidKeyId(entry.id)) {
      throw new KeyringError(`${label} has an id that does not match [A-Za-z0-9_-]{1,64}`);
    }
    if (!(entry.key instanceof Uint8Array) || entry.key.length !== MASTER_KEY_BYTES) {
      throw new KeyringError(`${label} ("${entry.id}") is not ${MASTER_KEY_BYTES} bytes`);
    }
    if (byId.has(entry.id)) {
      throw new KeyringError(`the id "${entry.id}" is listed twice`);
    }
    for (const other of byId.values()) {
      if (Buffer.compare(other.key, entry.key) === 0) {
        throw new KeyringError(`"${other.id}" and "${entry.id}" hold the same key`);
      }
    }
    byId.set(entry.id, Object.freeze({ id: entry.id, key: Uint8Array.from(entry.key) }));
  });

  const activeId = activeKeyId ?? [...byId.keys()].at(-1)!;
  if (!byId.has(activeId)) {
    // An invalid id might be key material pasted into the wrong setting: do not echo it.
    const shown = isValidKeyId(activeId) ? `"${activeId}"` : "(not a valid key id)";
    throw new KeyringError(`the active key ${shown} is not in the keyring`);
  }

  return new Keyring(byId, activeId);
}

/**
 * Parses `id:base64key` entries separated by commas, whitespace or newlines; lines starting
 * with `#` are comments. Errors name the entry by number, never by its text, because a
 * malformed entry may be a key written the wrong way round.
 */
export function parseKeyring(text: string, activeKeyId?: string): Keyring {
  const entries = text
    .split(/\r?\n/)
    .filter((line) => !line.trimStart().startsWith("#"))
    .flatMap((line) => line.split(/[\s,]+/))
    .filter((entry) => entry !== "");

  if (entries.length === 0) {
    throw new KeyringError("no master key found: expected entries of the form id:base64key");
  }

  const keys = entries.map((entry, index) => parseEntry(entry, index + 1));
  return createKeyring(keys, activeKeyId);
}

function parseEntry(entry: string, number: number): MasterKey {
  const colon = entry.indexOf(":");
  if (colon === -1) {
    throw new KeyringError(`entry ${number} is not id:base64 of 32 bytes (it has no colon)`);
  }

  const id = entry.slice(0, colon);
  const encoded = entry.slice(colon + 1);
  if (!isValidKeyId(id)) {
    throw new KeyringError(
      `entry ${number} is not id:base64 of 32 bytes (its id must match [A-Za-z0-9_-]{1,64})`,
    );
  }
  if (!KEY_BASE64_PATTERN.test(encoded)) {
    throw new KeyringError(
      `entry ${number} is not id:base64 of 32 bytes (its key is not the base64 of 32 bytes)`,
    );
  }

  return { id, key: new Uint8Array(Buffer.from(encoded, "base64")) };
}

/** A fresh random master key; the default id reads like `k20261203-a1b2`. */
export function generateMasterKey(id?: string): MasterKey {
  const keyId = id ?? defaultKeyId();
  if (!isValidKeyId(keyId)) {
    throw new KeyringError("a master key id must match [A-Za-z0-9_-]{1,64}");
  }

  return { id: keyId, key: new Uint8Array(randomBytes(MASTER_KEY_BYTES)) };
}

function defaultKeyId(): string {
  const day = new Date().toISOString().slice(0, 10).replaceAll("-", "");
  return `k${day}-${randomBytes(2).toString("hex")}`;
}

/** The `id:base64key` text of one entry, as `parseKeyring` reads it. */
export function formatKeyringEntry(key: MasterKey): string {
  return `${key.id}:${Buffer.from(key.key).toString("base64")}`;
}

/**
 * 16 bytes that identify a master key without revealing it: BLAKE2b keyed with the master key
 * over a fixed label. Stored beside the key id, it lets a start detect a wrong key.
 */
export function keyCheckValue(key: Uint8Array): Uint8Array {
  if (key.length !== MASTER_KEY_BYTES) {
    throw new KeyringError(`a master key is ${MASTER_KEY_BYTES} bytes`);
  }

  return readySodium().crypto_generichash(KEY_CHECK_VALUE_BYTES, KEY_CHECK_LABEL, key);
}

const KEY_FILE_HEADER =
  "# Master keys of the secrets console, one id:base64key entry a line. The last entry is\n" +
  "# the active key. Append new keys; remove an old one only after rotating every value off it.\n";

/**
 * Creates a key file holding one generated key, readable by its owner only. Never replaces an
 * existing file: that would make every value sealed under the old key unreadable.
 */
export async function createKeyFile(path: string): Promise<MasterKey> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });

  const key = generateMasterKey();
  const handle = await open(path, "wx", 0o600).catch((error: NodeJS.ErrnoException) => {
    throw error.code === "EEXIST" ? new KeyFileExistsError(path) : error;
  });

  try {
    // The umask could have narrowed the mode further; set exactly what is promised.
    await handle.chmod(0o600);
    await handle.writeFile(`${KEY_FILE_HEADER}${formatKeyringEntry(key)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }

  return key;
}

/** Reads and parses a key file; a missing or unreadable file is a `KeyringError`. */
export async function readKeyFile(path: string, activeKeyId?: string): Promise<Keyring> {
  return parseKeyring(await readKeyFileText(path), activeKeyId);
}

/**
 * Appends a key to an existing key file, which makes it the active key at the next start unless
 * an active key id is configured. Refuses an id the file already holds.
 */
export async function appendKeyToFile(path: string, key: MasterKey): Promise<void> {
  const text = await readKeyFileText(path);
  const existing = parseKeyring(text);
  createKeyring([...existing.ids.map((id) => existing.get(id)), key]);

  const separator = text === "" || text.endsWith("\n") ? "" : "\n";
  const handle = await open(path, "a");
  try {
    await handle.writeFile(`${separator}${formatKeyringEntry(key)}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function readKeyFileText(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "an error";
    throw new KeyringError(`the key file ${path} could not be read (${code})`);
  }
}
