// Benchmark: GET /runtime/v1/secrets for an environment of 50 secrets at 50 concurrent
// keep-alive connections on PostgreSQL, next to a bare route of the same server that returns a
// fixed JSON of the same size. The console serves from this process; the load comes from a
// child process (this file with --load), so the two do not share one core. The two routes take
// turns over several rounds, so a change in the machine's load falls on both; the serving
// process's CPU time per request is reported too, as it hardly depends on other processes.

import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import express from "express";
import { createApp } from "../src/app.ts";
import { applications } from "../src/applications/tables.ts";
import { loadConfig } from "../src/core/config.ts";
import { openPostgres } from "../src/core/db/client.ts";
import { migrate } from "../src/core/db/migrate.ts";
import { createLogger } from "../src/core/logger.ts";
import { initCrypto } from "../src/crypto/envelope.ts";
import { createKeyring, generateMasterKey } from "../src/crypto/keyring.ts";
import { environments } from "../src/environments/tables.ts";
import { verifyKeyring } from "../src/keys/verify.ts";
import { runtimeAccessOf } from "../src/runtime/api.ts";
import { createRuntimeToken } from "../src/runtime/tokens.ts";
import { addSecretIn } from "../src/secrets/changes.ts";
import { type BenchResult, scratchDatabase } from "./support.ts";

const SECRETS = 50;
const CONNECTIONS = 50;
const WARMUP_MS = 2_000;
const ROUNDS = 3;
const ROUND_MS = 4_000;
const RUNTIME_PATH = "/runtime/v1/secrets";
const BARE_PATH = "/bench/bare";

interface LoadPlan {
  url: string;
  token: string;
  targets: { name: string; path: string }[];
}

interface LoadFigures {
  name: string;
  requests: number;
  failures: number;
  seconds: number;
  p50: number;
  p99: number;
  /** CPU time of the serving process per request, in microseconds. */
  cpuMicros?: number;
}

export async function runtimeBench(serverUrl: string | undefined): Promise<BenchResult[]> {
  const name = `runtime API, ${SECRETS} secrets, ${CONNECTIONS} connections, postgres`;
  if (!serverUrl) return [{ name, figures: { skipped: "no PostgreSQL server answers" } }];

  await initCrypto();
  const scratch = await scratchDatabase(serverUrl);
  const dataDir = mkdtempSync(path.join(tmpdir(), "secrets-console-bench-"));
  const database = await openPostgres(scratch.url);
  let server: http.Server | undefined;
  let app: ReturnType<typeof createApp> | undefined;
  try {
    await migrate(database);
    const keyring = createKeyring([generateMasterKey()]);
    await verifyKeyring(database, keyring);
    const token = await seedEnvironment(database, keyring);

    const logger = createLogger({ level: "warn" });
    const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: "warn" });
    // The rate limit is lifted: 50 connections from one token are the load, not a runaway.
    app = createApp({ config, database, keyring, logger, runtime: { requestsPerMinute: 1e9 } });

    // The bare route answers before any of the console's middleware: the ceiling of this server.
    const outer = express();
    outer.disable("x-powered-by");
    let fixed: unknown = {};
    outer.get(BARE_PATH, (_req, res) => {
      res.json(fixed);
    });
    outer.use(app);
    server = await listen(outer);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    // The bare answer is the runtime's own answer, so both carry the same bytes.
    const sample = await fetch(`${url}${RUNTIME_PATH}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    if (sample.status !== 200) throw new Error(`the runtime API answered ${sample.status}`);
    fixed = await sample.json();
    const bytes = Buffer.byteLength(JSON.stringify(fixed));

    const [runtime, bare] = await runLoad({
      url,
      token,
      targets: [
        { name: "runtime", path: RUNTIME_PATH },
        { name: "bare", path: BARE_PATH },
      ],
    });
    const ratio = runtime!.requests / runtime!.seconds / (bare!.requests / bare!.seconds);
    return [
      { name: `GET ${RUNTIME_PATH}: ${name}`, figures: figuresOf(runtime!, bytes) },
      {
        name: "bare JSON route of the same server, same size",
        figures: {
          ...figuresOf(bare!, bytes),
          "runtime/bare": `${(ratio * 100).toFixed(0)}% (target 50%)`,
        },
      },
    ];
  } finally {
    if (server) await new Promise((resolve) => server!.close(resolve));
    if (app) await runtimeAccessOf(app)?.stop();
    await database.close();
    await scratch.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** One application, a Production environment of 50 secrets, and a runtime token for it. */
async function seedEnvironment(
  database: Awaited<ReturnType<typeof openPostgres>>,
  keyring: ReturnType<typeof createKeyring>,
): Promise<string> {
  const actor = { id: null, name: "benchmark" };
  const [application] = await database.db
    .insert(applications)
    .values({ slug: "bench", name: "Bench" })
    .returning({ id: applications.id, slug: applications.slug, name: applications.name });
  const [environment] = await database.db
    .insert(environments)
    .values({ applicationId: application!.id, name: "Production", slug: "production" })
    .returning({
      id: environments.id,
      name: environments.name,
      slug: environments.slug,
      position: environments.position,
    });

  await database.db.transaction(async (tx) => {
    for (let i = 0; i < SECRETS; i++) {
      const value = randomBytes(24).toString("base64url");
      const place = { application: application!, environment: environment! };
      await addSecretIn(tx, keyring, actor, place, `BENCH_SECRET_${i}`, value);
    }
  });
  const created = await createRuntimeToken(database.db, actor, application!, environment!, "bench");
  return created.token;
}

function figuresOf(load: LoadFigures, bytes: number): Record<string, string> {
  return {
    "requests/s": Math.round(load.requests / load.seconds).toLocaleString("en"),
    "p50 ms": load.p50.toFixed(2),
    "p99 ms": load.p99.toFixed(2),
    "server CPU µs/request": String(Math.round(load.cpuMicros ?? 0)),
    failures: String(load.failures),
    "body bytes": String(bytes),
  };
}

function listen(app: express.Express): Promise<http.Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, "127.0.0.1");
    server.once("listening", () => resolve(server));
    server.once("error", reject);
  });
}

/**
 * Runs the load generator in a child process. It says, one JSON line each, when a measured
 * phase starts and ends (this process notes its CPU time then, and answers with a line before
 * the phase goes on), and finally gives its figures.
 */
function runLoad(plan: LoadPlan): Promise<LoadFigures[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", fileURLToPath(import.meta.url), "--load", JSON.stringify(plan)],
      { stdio: ["pipe", "pipe", "inherit"] },
    );
    const cpu = new Map<string, number>();
    let started = process.cpuUsage();
    let results: LoadFigures[] = [];
    let pending = "";

    child.stdout.on("data", (chunk) => {
      pending += chunk;
      for (let end = pending.indexOf("\n"); end >= 0; end = pending.indexOf("\n")) {
        const message = JSON.parse(pending.slice(0, end));
        pending = pending.slice(end + 1);
        if (message.start) {
          started = process.cpuUsage();
        } else if (message.end) {
          const used = process.cpuUsage(started);
          cpu.set(message.end, (cpu.get(message.end) ?? 0) + used.user + used.system);
        } else {
          results = message.results;
        }
        child.stdin.write("\n");
      }
    });
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`the load generator exited with ${code}`));
      for (const result of results) {
        result.cpuMicros = (cpu.get(result.name) ?? 0) / Math.max(1, result.requests);
      }
      resolve(results);
    });
  });
}

// --- The load generator, run in its own process ---

interface Run {
  latencies: number[];
  failures: number;
  seconds: number;
}

async function generateLoad(plan: LoadPlan): Promise<LoadFigures[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const headers = { authorization: `Bearer ${plan.token}`, accept: "application/json" };
  const urlOf = (path: string) => `${plan.url}${path}`;
  const answered = answers();
  const tell = async (message: object) => {
    process.stdout.write(`${JSON.stringify(message)}\n`);
    await answered();
  };

  for (const target of plan.targets) await hammer(agent, urlOf(target.path), headers, WARMUP_MS);
  const totals = new Map<string, Run>(
    plan.targets.map((target) => [target.name, { latencies: [], failures: 0, seconds: 0 }]),
  );
  for (let round = 0; round < ROUNDS; round++) {
    for (const target of plan.targets) {
      await tell({ start: target.name });
      const run = await hammer(agent, urlOf(target.path), headers, ROUND_MS);
      await tell({ end: target.name });
      const total = totals.get(target.name)!;
      for (const latency of run.latencies) total.latencies.push(latency);
      total.failures += run.failures;
      total.seconds += run.seconds;
    }
  }
  agent.destroy();

  return plan.targets.map(({ name }) => {
    const { latencies, failures, seconds } = totals.get(name)!;
    latencies.sort((a, b) => a - b);
    const at = (share: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(share * latencies.length))] ?? 0;
    return { name, requests: latencies.length, failures, seconds, p50: at(0.5), p99: at(0.99) };
  });
}

/** Waits for the serving process's answer lines, in order. */
function answers(): () => Promise<void> {
  const waiting: (() => void)[] = [];
  let early = 0;
  process.stdin.on("data", (chunk: Buffer) => {
    for (const byte of chunk) {
      if (byte !== 10) continue;
      const next = waiting.shift();
      if (next) next();
      else early++;
    }
  });
  return () =>
    new Promise((resolve) => {
      if (early > 0) {
        early--;
        resolve();
      } else {
        waiting.push(resolve);
      }
    });
}

/** CONNECTIONS loops, each sending its next request when the last one is answered. */
async function hammer(
  agent: http.Agent,
  url: string,
  headers: Record<string, string>,
  durationMs: number,
): Promise<Run> {
  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  const deadline = started + durationMs;

  const loop = async () => {
    while (performance.now() < deadline) {
      const sent = performance.now();
      const status = await get(agent, url, headers);
      if (status === 200) latencies.push(performance.now() - sent);
      else failures++;
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, loop));
  return { latencies, failures, seconds: (performance.now() - started) / 1000 };
}

function get(agent: http.Agent, url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const request = http.get(url, { agent, headers }, (response) => {
      response.on("data", () => {});
      response.on("end", () => resolve(response.statusCode ?? 0));
    });
    request.on("error", () => resolve(0));
  });
}

if (process.argv[2] === "--load" && process.argv[1] === fileURLToPath(import.meta.url)) {
  const plan = JSON.parse(process.argv[3] ?? "{}") as LoadPlan;
  const results = await generateLoad(plan);
  process.stdout.write(`${JSON.stringify({ results })}\n`);
  process.stdin.destroy();
}
