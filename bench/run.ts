// `npm run bench [-- name...]`: runs the console's benchmarks and prints their figures.
// BENCH_DATABASE_URL names a PostgreSQL server to measure on as well as the embedded database
// (default: the local server at 127.0.0.1:5432, when it answers).

import postgres from "postgres";
import { rotationBench } from "./rotation.ts";
import { runtimeBench } from "./runtime.ts";
import type { BenchResult } from "./support.ts";

const BENCHES: Record<string, (serverUrl: string | undefined) => Promise<BenchResult[]>> = {
  rotation: rotationBench,
  runtime: runtimeBench,
};

async function reachable(url: string): Promise<boolean> {
  const client = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    await client`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await client.end({ timeout: 1 });
  }
}

const wanted = process.argv.slice(2);
const candidate = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const serverUrl = (await reachable(candidate)) ? candidate : undefined;
if (!serverUrl) process.stdout.write("No PostgreSQL server answers; embedded only.\n");

for (const [name, bench] of Object.entries(BENCHES)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  for (const result of await bench(serverUrl)) {
    const figures = Object.entries(result.figures).map(([k, v]) => `${k}: ${v}`);
    process.stdout.write(`${result.name}\n  ${figures.join("  |  ")}\n`);
  }
}
