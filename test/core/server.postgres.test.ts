// Runs only with TEST_DATABASE_URL (see vitest.config.ts): the console against a real server.

import { readFileSync } from "node:fs";
import postgres from "postgres";
import { afterEach, describe, expect, it } from "vitest";
import { formatKeyringEntry, generateMasterKey } from "../../src/crypto/keyring.ts";
import { withDatabase } from "../support/global-setup.ts";
import { type ConsoleProcess, startConsole } from "../support/process.ts";

const running: ConsoleProcess[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop("SIGKILL")));
});

async function start(env: NodeJS.ProcessEnv): Promise<ConsoleProcess> {
  const server = await startConsole(env);
  running.push(server);
  return server;
}

const serverUrl = process.env.TEST_DATABASE_URL!;

describe("the server process on PostgreSQL", () => {
  it("applies the migrations at start and nothing twice on restart", async () => {
    const name = `sc_server_${process.pid}_${Date.now()}`;
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${name}`);
    const databaseUrl = withDatabase(serverUrl, name);
    const keys = formatKeyringEntry(generateMasterKey());
    const journal = JSON.parse(readFileSync("drizzle/meta/_journal.json", "utf8"));

    try {
      const first = await start({ DATABASE_URL: databaseUrl, SECRETS_MASTER_KEYS: keys });
      expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
      expect(await first.stop()).toBe(0);

      const second = await start({ DATABASE_URL: databaseUrl, SECRETS_MASTER_KEYS: keys });
      expect((await fetch(`${second.url}/readyz`)).status).toBe(200);
      expect(await second.stop()).toBe(0);

      const client = postgres(databaseUrl, { max: 1, onnotice: () => {} });
      const [row] = await client`select count(*)::int as n from drizzle.__drizzle_migrations`;
      await client.end();
      expect(row!.n).toBe(journal.entries.length);
    } finally {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});
