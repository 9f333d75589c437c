// Where the master keys come from: SECRETS_MASTER_KEYS (or its _FILE) when set; on the embedded
// default with none set, a key file in the data directory, created at the first start.

import { existsSync } from "node:fs";
import path from "node:path";
import type { Config } from "../core/config.ts";
import { StartupError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import { KeyringError } from "../crypto/errors.ts";
import { createKeyFile, type Keyring, parseKeyring, readKeyFile } from "../crypto/keyring.ts";

export const KEY_FILE_NAME = "master-keys";

export function embeddedKeyFile(config: Config): string {
  return path.join(config.dataDir, KEY_FILE_NAME);
}

/** True when the keys live in the data directory's key file rather than in the environment. */
export function usesEmbeddedKeyFile(config: Config): boolean {
  return !config.masterKeys && !config.databaseUrl;
}

export async function loadKeyring(config: Config, logger: Logger): Promise<Keyring> {
  if (config.masterKeys) {
    try {
      return parseKeyring(config.masterKeys, config.activeKeyId);
    } catch (error) {
      if (error instanceof KeyringError) {
        throw new StartupError(
          `SECRETS_MASTER_KEYS cannot be used: ${error.message}; each ` +
            "entry is id:base64 of 32 bytes (npm run cli -- generate-key prints one).",
        );
      }
      throw error;
    }
  }

  if (config.databaseUrl) {
    throw new StartupError(
      "SECRETS_MASTER_KEYS is not set; with DATABASE_URL the master key " +
        "must come from outside the data: set SECRETS_MASTER_KEYS or SECRETS_MASTER_KEYS_FILE " +
        "(npm run cli -- generate-key prints a new entry).",
    );
  }

  const file = embeddedKeyFile(config);
  if (!existsSync(file)) {
    const key = await createKeyFile(file);
    logger.warn(
      { keyId: key.id, file },
      `Created master key ${key.id} in ${file}. Back it up now: without it no stored value can ` +
        "be read. For production, move it out of the data directory and pass it with " +
        "SECRETS_MASTER_KEYS_FILE.",
    );
  }

  try {
    return await readKeyFile(file, config.activeKeyId);
  } catch (error) {
    if (error instanceof KeyringError) {
      throw new StartupError(
        `The key file ${file} cannot be used: ${error.message}; restore it from your backup.`,
      );
    }
    throw error;
  }
}
