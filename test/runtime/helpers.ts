// Builders for the runtime API tests: a console whose runtime limits the test chooses, secrets
// stored the way the console stores them, runtime tokens, and canary values to search for.

import { randomBytes } from "node:crypto";
import { actorOf } from "../../src/accounts/users.ts";
import { createApp } from "../../src/app.ts";
import type { Database } from "../../src/core/db/client.ts";
import { createLogger } from "../../src/core/logger.ts";
import type { Keyring } from "../../src/crypto/keyring.ts";
import {
  type RuntimeAccess,
  type RuntimeAccessOptions,
  runtimeAccessOf,
} from "../../src/runtime/api.ts";
import { createRuntimeToken } from "../../src/runtime/tokens.ts";
import { addSecretIn } from "../../src/secrets/changes.ts";
import { createTestConsole, type TestConsole } from "../support/app.ts";
import type { TestApplication, TestUser } from "../support/factories.ts";

export interface RuntimeTestConsole extends TestConsole {
  runtime: RuntimeAccess;
}

/**
 * A test console whose runtime API uses `options` (a long flush interval by default, so a test
 * decides when counts are written).
 */
export async function runtimeTestConsole(
  options: RuntimeAccessOptions = {},
  env: NodeJS.ProcessEnv = {},
): Promise<RuntimeTestConsole> {
  const base = await createTestConsole(env);
  await runtimeAccessOf(base.app)?.stop();

  const logger = createLogger({
    level: base.config.logLevel,
    destination: { write: (line: string) => void base.logs.push(line) },
  });
  const app = createApp({
    config: base.config,
    database: base.database,
    keyring: base.keyring,
    logger,
    runtime: { flushIntervalMs: 3_600_000, ...options },
  });
  const runtime = runtimeAccessOf(app)!;
  return {
    ...base,
    app,
    runtime,
    async close() {
      await runtime.stop().catch(() => {});
      await base.close();
    },
  };
}

/** A value no other test stores, so finding it anywhere proves where it went. */
export function canary(what = "value"): string {
  return `canary-${what}-${randomBytes(8).toString("hex")}`;
}

export function environmentOf(application: TestApplication, slug: string) {
  const environment = application.environments.find((candidate) => candidate.slug === slug);
  if (!environment) throw new Error(`${application.slug} has no environment ${slug}`);
  return environment;
}

/** Stores secrets in one environment as the console's Add secret does. */
export async function storeSecrets(
  database: Database,
  keyring: Keyring,
  owner: TestUser,
  application: TestApplication,
  environmentSlug: string,
  values: Record<string, string>,
): Promise<void> {
  const environment = environmentOf(application, environmentSlug);
  const place = { application, environment };
  await database.db.transaction(async (tx) => {
    for (const [name, value] of Object.entries(values)) {
      await addSecretIn(tx, keyring, actorOf(owner), place, name, value);
    }
  });
}

/** A runtime token for one environment, made as the Runtime access tab makes one. */
export async function issueToken(
  database: Database,
  owner: TestUser,
  application: TestApplication,
  environmentSlug: string,
  label = `runtime ${randomBytes(3).toString("hex")}`,
): Promise<{ id: string; token: string; hint: string }> {
  const environment = environmentOf(application, environmentSlug);
  const created = await createRuntimeToken(
    database.db,
    actorOf(owner),
    application,
    environment,
    label,
  );
  return { id: created.id, token: created.token, hint: created.hint };
}

export function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}
