// Benchmark: rotating the master key over 100,000 stored versions. The rotation runs in a
// process of its own (the real rotate-key command), so its peak memory is measured alone.

import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Database, openEmbedded, openPostgres } from "../src/core/db/client.ts";
import { migrate } from "../src/core/db/migrate.ts";
import { initCrypto } from "../src/crypto/envelope.ts";
import { createKeyring, formatKeyringEntry, generateMasterKey } from "../src/crypto/keyring.ts";
import { verifyKeyring } from "../src/keys/verify.ts";
import { seedSecretVersions } from "../test/support/seed.ts";
import { type BenchResult, scratchDatabase } from "./support.ts";

const VERSIONS = 100_000;

export async function rotationBench(serverUrl: string | undefined): Promise<BenchResult[]> {
  await initCrypto();
  const results = [await rotateOn("embedded", undefined)];
  if (serverUrl) results.push(await rotateOn("postgres", serverUrl));
  return results;
}

async function rotateOn(kind: "embedded" | "postgres", serverUrl: string | undefined) {
  const oldKey = generateMasterKey("k-old");
  const newKey = generateMasterKey("k-new");
  const dataDir = mkdtempSync(path.join(tmpdir(), "secrets-console-bench-"));
  const scratch = serverUrl ? await scratchDatabase(serverUrl) : undefined;

  try {
    const database: Database = scratch
      ? await openPostgres(scratch.url)
      : await openEmbedded({ dataDir: path.join(dataDir, "pglite") });
    await migrate(database);
    await verifyKeyring(database, createKeyring([oldKey]));
    await seedSecretVersions(database, createKeyring([oldKey]), {
      secrets: VERSIONS / 10,
      versionsPerSecret: 10,
    });
    await database.close();

    const env = {
      ...process.env,
      ...(scratch ? { DATABASE_URL: scratch.url } : { DATA_DIR: dataDir }),
      SECRETS_MASTER_KEYS: `${formatKeyringEntry(oldKey)},${formatKeyringEntry(newKey)}`,
    };
    const { ms, maxRssMb } = await timedCli(["rotate-key"], env, dataDir);
    return {
      name: `rotate-key, ${VERSIONS.toLocaleString("en")} versions, ${kind}`,
      figures: {
        seconds: (ms / 1000).toFixed(1),
        "versions/s": Math.round(VERSIONS / (ms / 1000)).toLocaleString("en"),
        "peak RSS MB": maxRssMb.toFixed(0),
      },
    };
  } finally {
    await scratch?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Runs a CLI command; reports its wall time and its own peak resident memory. */
function timedCli(args: string[], env: NodeJS.ProcessEnv, scratchDir: string) {
  const rssFile = path.join(scratchDir, "peak-rss");
  return new Promise<{ ms: number; maxRssMb: number }>((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ["--import", "tsx", "bench/measured-cli.ts", ...args], {
      env: { ...env, BENCH_RSS_FILE: rssFile },
      stdio: ["ignore", "ignore", "inherit"],
    });
    child.on("exit", (code) => {
      const ms = performance.now() - started;
      if (code !== 0) {
        reject(new Error(`${args.join(" ")} exited with ${code}`));
        return;
      }
      resolve({ ms, maxRssMb: Number(readFileSync(rssFile, "utf8")) / 1024 });
    });
  });
}
