// What the benchmarks share: a scratch database on a PostgreSQL server, and the result shape.

import { randomBytes } from "node:crypto";
import postgres from "postgres";

export interface BenchResult {
  name: string;
  figures: Record<string, string>;
}

export async function scratchDatabase(serverUrl: string) {
  const name = `sc_bench_${randomBytes(4).toString("hex")}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;

  return {
    url: url.toString(),
    async drop() {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
