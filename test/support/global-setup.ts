// Migrates a database once for the whole run; every test file then starts from a copy of it.
// Embedded: a gzip dump of a migrated PGlite, loaded per file (seconds faster than migrating).
// TEST_DATABASE_URL set: a migrated template database on that server, cloned per file and
// dropped with every clone when the run ends.

import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { openEmbedded, openPostgres } from "../../src/core/db/client.ts";
import { migrate } from "../../src/core/db/migrate.ts";

declare module "vitest" {
  export interface ProvidedContext {
    testDatabase:
      | { kind: "embedded"; dumpPath: string }
      | { kind: "postgres"; serverUrl: string; template: string; prefix: string };
  }
}

export default async function setup(project: TestProject) {
  const serverUrl = process.env.TEST_DATABASE_URL;
  return serverUrl ? setupPostgres(project, serverUrl) : setupEmbedded(project);
}

async function setupEmbedded(project: TestProject) {
  const folder = mkdtempSync(path.join(tmpdir(), "secrets-console-test-"));
  const database = await openEmbedded({});
  await migrate(database);
  const client = (database.db as unknown as { $client: PGlite }).$client;
  const dump = await client.dumpDataDir("gzip");
  await database.close();

  const dumpPath = path.join(folder, "migrated.tar.gz");
  writeFileSync(dumpPath, Buffer.from(await dump.arrayBuffer()));
  project.provide("testDatabase", { kind: "embedded", dumpPath });

  return () => rmSync(folder, { recursive: true, force: true });
}

async function setupPostgres(project: TestProject, serverUrl: string) {
  const prefix = `sc_test_${randomBytes(4).toString("hex")}`;
  const template = `${prefix}_template`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${template}`);

  const database = await openPostgres(withDatabase(serverUrl, template));
  await migrate(database);
  await database.close();
  project.provide("testDatabase", { kind: "postgres", serverUrl, template, prefix });

  return async () => {
    const rows = await admin<{ datname: string }[]>`
      select datname from pg_database where datname like ${`${prefix}%`}`;
    for (const { datname } of rows) {
      await admin.unsafe(`drop database if exists ${datname} with (force)`);
    }
    await admin.end();
  };
}

export function withDatabase(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
