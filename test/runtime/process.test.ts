// The runtime client and `npm run cli -- run` against a running console process: values arrive,
// exit codes and signals pass through, and a refused token or an unreachable console starts
// nothing. A stopped console writes the read counts it gathered before it exits.

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { asc, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { actorOf } from "../../src/accounts/users.ts";
import type { Database } from "../../src/core/db/client.ts";
import type { Keyring } from "../../src/crypto/keyring.ts";
import {
  createSecretsClient,
  SecretsAuthError,
  SecretsUnavailableError,
} from "../../src/runtime/client.ts";
import { secretReads } from "../../src/runtime/tables.ts";
import { revokeRuntimeToken } from "../../src/runtime/tokens.ts";
import { createTeam } from "../support/factories.ts";
import { finished, spawnEntry } from "../support/process.ts";
import { type SeededConsole, startSeededConsole } from "./console-process.ts";
import { canary, environmentOf, issueToken, storeSecrets } from "./helpers.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Two environments with canary values, a token for each, and a revoked Production token. */
async function seed(database: Database, keyring: Keyring) {
  const team = await createTeam(database);
  const production = { SF_CLIENT_ID: canary("prod-id"), SF_CLIENT_SECRET: canary("prod") };
  const preview = { SF_CLIENT_ID: canary("preview-id") };
  await storeSecrets(database, keyring, team.owner, team.application, "production", production);
  await storeSecrets(database, keyring, team.owner, team.application, "preview", preview);
  const productionToken = await issueToken(database, team.owner, team.application, "production");
  const previewToken = await issueToken(database, team.owner, team.application, "preview");
  const revoked = await issueToken(database, team.owner, team.application, "production");
  await revokeRuntimeToken(database.db, actorOf(team.owner), team.application, revoked.id);
  return {
    production,
    preview,
    productionToken: productionToken.token,
    previewToken: previewToken.token,
    revokedToken: revoked.token,
    productionId: environmentOf(team.application, "production").id,
  };
}

let running: SeededConsole<Awaited<ReturnType<typeof seed>>>;
const scratch: string[] = [];

beforeAll(async () => {
  running = await startSeededConsole(seed);
});

afterAll(async () => {
  await running.dispose();
});

afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function scratchDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "runtime-run-"));
  scratch.push(dir);
  return dir;
}

/** `run` as the CLI runs it, with the token in SECRETS_CONSOLE_TOKEN. */
function runCommand(url: string, token: string, script: string, ...args: string[]) {
  return spawnEntry("src/cli.ts", { SECRETS_CONSOLE_TOKEN: token }, [
    "run",
    "--url",
    url,
    "--",
    process.execPath,
    "-e",
    script,
    ...args,
  ]);
}

/** A loopback port that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe("the client against a running console", () => {
  it("reads the environment of its token, all at once or one by one", async () => {
    const { production, productionToken } = running.seeded;
    const client = createSecretsClient({ url: running.server.url, token: productionToken });

    expect(await client.getAll()).toEqual(production);
    expect(await client.get("SF_CLIENT_SECRET")).toBe(production.SF_CLIENT_SECRET);
    expect(await client.get("NOT_THERE")).toBeUndefined();
    expect(client.environment).toBe("Production");
  });

  it("reads only Preview with a Preview token, and only the names it was given", async () => {
    const { preview, previewToken } = running.seeded;
    const client = createSecretsClient({
      url: running.server.url,
      token: previewToken,
      names: ["SF_CLIENT_ID"],
    });

    expect(await client.getAll()).toEqual(preview);
    expect(client.environment).toBe("Preview");
  });

  it("reports a revoked token as refused, without repeating it", async () => {
    const { revokedToken } = running.seeded;
    const client = createSecretsClient({ url: running.server.url, token: revokedToken });

    const error = await client.getAll().catch((caught: unknown) => caught as Error);
    expect(error).toBeInstanceOf(SecretsAuthError);
    expect(error.message).toContain("revoked");
    expect(error.message).not.toContain(revokedToken.slice(5));
  });
});

describe("npm run cli -- run", () => {
  it("starts the command with the secrets as variables and exits with its code", async () => {
    const { production, productionToken } = running.seeded;
    const out = path.join(scratchDir(), "env.json");
    const script = `require("fs").writeFileSync(process.argv[1], JSON.stringify({
      id: process.env.SF_CLIENT_ID, secret: process.env.SF_CLIENT_SECRET,
      token: process.env.SECRETS_CONSOLE_TOKEN })); process.exit(7)`;

    const result = await finished(runCommand(running.server.url, productionToken, script, out));

    expect(result.code).toBe(7);
    expect(JSON.parse(readFileSync(out, "utf8"))).toEqual({
      id: production.SF_CLIENT_ID,
      secret: production.SF_CLIENT_SECRET,
      token: productionToken,
    });
    expect(result.output).not.toContain(production.SF_CLIENT_SECRET);
  });

  it("passes the exit code through npm as well", async () => {
    const { productionToken } = running.seeded;
    const child = spawn(
      "npm",
      [
        "run",
        "--silent",
        "cli",
        "--",
        "run",
        "--url",
        running.server.url,
        "--",
        process.execPath,
        "-e",
        "process.exit(process.env.SF_CLIENT_ID ? 5 : 1)",
      ],
      {
        cwd: ROOT,
        env: { ...process.env, SECRETS_CONSOLE_TOKEN: productionToken },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );

    expect((await finished(child)).code).toBe(5);
  });

  it("passes SIGTERM to the command and exits with the command's code", async () => {
    const { productionToken } = running.seeded;
    const dir = scratchDir();
    const ready = path.join(dir, "ready");
    const stopped = path.join(dir, "stopped");
    const script = `const fs = require("fs");
      process.on("SIGTERM", () => {
        fs.writeFileSync(process.argv[2], "SIGTERM");
        process.exit(3);
      });
      fs.writeFileSync(process.argv[1], ""); setInterval(() => {}, 1000);`;

    const child = runCommand(running.server.url, productionToken, script, ready, stopped);
    const result = finished(child);
    await vi.waitFor(() => expect(existsSync(ready)).toBe(true), { timeout: 20_000 });
    child.kill("SIGTERM");

    expect((await result).code).toBe(3);
    expect(readFileSync(stopped, "utf8")).toBe("SIGTERM");
  });

  it("exits with 128 + the signal when the signal ends the command", async () => {
    const { productionToken } = running.seeded;
    const ready = path.join(scratchDir(), "ready");
    const script = `require("fs").writeFileSync(process.argv[1], ""); setInterval(() => {}, 1000);`;

    const child = runCommand(running.server.url, productionToken, script, ready);
    const result = finished(child);
    await vi.waitFor(() => expect(existsSync(ready)).toBe(true), { timeout: 20_000 });
    child.kill("SIGINT");

    expect((await result).code).toBe(130);
  });

  it("starts nothing and exits 125 when the runtime token is refused", async () => {
    const { revokedToken } = running.seeded;
    const marker = path.join(scratchDir(), "started");

    const result = await finished(
      runCommand(
        running.server.url,
        revokedToken,
        `require("fs").writeFileSync(process.argv[1], "")`,
        marker,
      ),
    );

    expect(result.code).toBe(125);
    expect(result.output).toContain("Did not start");
    expect(result.output).toContain("refused the runtime token");
    expect(result.output).not.toContain(revokedToken.slice(5));
    expect(existsSync(marker)).toBe(false);
  });

  it("starts nothing and exits 125 when the console is unreachable", async () => {
    const { productionToken } = running.seeded;
    const url = `http://127.0.0.1:${await closedPort()}`;
    const marker = path.join(scratchDir(), "started");

    const result = await finished(
      runCommand(url, productionToken, `require("fs").writeFileSync(process.argv[1], "")`, marker),
    );

    expect(result.code).toBe(125);
    expect(result.output).toContain(`${url}/runtime/v1/secrets is unreachable`);
    expect(result.output).not.toContain(productionToken.slice(5));
    expect(existsSync(marker)).toBe(false);
  });

  it("exits 2 with the usage when the console URL is missing", async () => {
    const result = await finished(
      spawnEntry("src/cli.ts", { SECRETS_CONSOLE_TOKEN: running.seeded.productionToken }, [
        "run",
        "--",
        "true",
      ]),
    );

    expect(result.code).toBe(2);
    expect(result.output).toContain("No console URL");
    expect(result.output).toContain("Usage: run --url URL");
  });
});

describe("a console that stops", () => {
  it("writes the reads it counted, and the client keeps its last known values", async () => {
    const own = await startSeededConsole(seed);
    try {
      const { production, productionToken, productionId } = own.seeded;
      const client = createSecretsClient({
        url: own.server.url,
        token: productionToken,
        feature: "nightly-import",
        ttlMs: 0,
      });
      expect(await client.getAll()).toEqual(production);
      expect(await client.get("SF_CLIENT_ID")).toBe(production.SF_CLIENT_ID);

      expect(await own.server.stop("SIGTERM")).toBe(0);

      expect(await client.get("SF_CLIENT_ID")).toBe(production.SF_CLIENT_ID);
      expect(client.stale).toBe(true);
      await expect(client.refresh()).rejects.toBeInstanceOf(SecretsUnavailableError);
      const rows = await own.withDatabase((database) =>
        database.db
          .select({
            secretName: secretReads.secretName,
            featureKey: secretReads.featureKey,
            reads: secretReads.reads,
          })
          .from(secretReads)
          .where(eq(secretReads.environmentId, productionId))
          .orderBy(asc(secretReads.secretName)),
      );
      expect(rows).toEqual([
        { secretName: "SF_CLIENT_ID", featureKey: "nightly-import", reads: 2 },
        { secretName: "SF_CLIENT_SECRET", featureKey: "nightly-import", reads: 2 },
      ]);
    } finally {
      await own.dispose();
    }
  });
});
