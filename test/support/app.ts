// Builds the console for a test: its own database, a configuration without environment
// variables, and a logger whose lines the test can read (to prove what never gets logged).

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Express } from "express";
import { createApp } from "../../src/app.ts";
import { type Config, loadConfig } from "../../src/core/config.ts";
import type { Database } from "../../src/core/db/client.ts";
import { createLogger } from "../../src/core/logger.ts";
import { initCrypto } from "../../src/crypto/envelope.ts";
import { createKeyring, generateMasterKey, type Keyring } from "../../src/crypto/keyring.ts";
import { verifyKeyring } from "../../src/keys/verify.ts";
import { createTestDatabase } from "./database.ts";

export interface TestConsole {
  app: Express;
  database: Database;
  config: Config;
  keyring: Keyring;
  /** Every log line written so far, as raw JSON text. */
  logs: string[];
  close(): Promise<void>;
}

export async function createTestConsole(env: NodeJS.ProcessEnv = {}): Promise<TestConsole> {
  const config = loadConfig({
    DATA_DIR: mkdtempSync(path.join(tmpdir(), "secrets-console-data-")),
    LOG_LEVEL: "debug",
    ...env,
  });
  const database = await createTestDatabase();
  const logs: string[] = [];
  const logger = createLogger({
    level: config.logLevel,
    destination: { write: (line: string) => void logs.push(line) },
  });

  await initCrypto();
  const keyring = createKeyring([generateMasterKey()]);
  await verifyKeyring(database, keyring);

  const app = createApp({ config, database, keyring, logger });
  return { app, database, config, keyring, logs, close: () => database.close() };
}
