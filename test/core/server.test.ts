import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { formatKeyringEntry, generateMasterKey } from "../../src/crypto/keyring.ts";
import { type ConsoleProcess, finished, spawnEntry, startConsole } from "../support/process.ts";

const running: ConsoleProcess[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop("SIGKILL")));
});

function freshDataDir(): string {
  return mkdtempSync(path.join(tmpdir(), "secrets-console-server-"));
}

async function start(env: NodeJS.ProcessEnv): Promise<ConsoleProcess> {
  const server = await startConsole(env);
  running.push(server);
  return server;
}

describe("the server process", () => {
  it("serves on the embedded database and stops cleanly on SIGTERM", async () => {
    const dataDir = freshDataDir();
    const server = await start({ DATA_DIR: dataDir });

    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(readFileSync(path.join(dataDir, "console.lock"), "utf8")).toContain(
      String(server.child.pid),
    );

    expect(await server.stop("SIGTERM")).toBe(0);
    expect(server.output()).toContain('"msg":"stopped"');
    expect(() => readFileSync(path.join(dataDir, "console.lock"))).toThrow();
  });

  it("refuses a second start on the same data directory and leaves the first serving", async () => {
    const dataDir = freshDataDir();
    const first = await start({ DATA_DIR: dataDir });
    const lockBefore = readFileSync(path.join(dataDir, "console.lock"), "utf8");

    const second = await finished(spawnEntry("src/server.ts", { DATA_DIR: dataDir, PORT: "0" }));
    expect(second.code).not.toBe(0);
    expect(second.output.trim()).toBe(second.output.trim().split("\n")[0]);
    expect(second.output).toContain(`in use by process ${first.child.pid}`);

    expect(readFileSync(path.join(dataDir, "console.lock"), "utf8")).toBe(lockBefore);
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);

    // The first process's data is intact: it stops and the folder opens again.
    expect(await first.stop("SIGTERM")).toBe(0);
    const again = await start({ DATA_DIR: dataDir });
    expect((await fetch(`${again.url}/readyz`)).status).toBe(200);
  });

  it("refuses the migrate command while a server holds the data directory", async () => {
    const dataDir = freshDataDir();
    const server = await start({ DATA_DIR: dataDir });
    const cli = await finished(spawnEntry("src/cli.ts", { DATA_DIR: dataDir }, ["migrate"]));
    expect(cli.code).toBe(1);
    expect(cli.output).toContain(`in use by process ${server.child.pid}`);
  });

  it("takes over a lock left by a process that died", async () => {
    const dataDir = freshDataDir();
    const server = await start({ DATA_DIR: dataDir });
    await server.stop("SIGKILL");
    const again = await start({ DATA_DIR: dataDir });
    expect((await fetch(`${again.url}/readyz`)).status).toBe(200);
  });

  it("exits with one sentence and no stack trace when PORT is not a number", async () => {
    const result = await finished(spawnEntry("src/server.ts", { PORT: "abc" }));
    expect(result.code).toBe(1);
    expect(result.output).toBe(
      "PORT must be a port number; set it to a free port such as 3000, or unset it.\n",
    );
  });

  it("exits with one sentence and no stack trace when the database is unreachable", async () => {
    const result = await finished(
      spawnEntry("src/server.ts", {
        PORT: "0",
        DATABASE_URL: "postgres://console:hunter2@127.0.0.1:1/console",
        SECRETS_MASTER_KEYS: formatKeyringEntry(generateMasterKey()),
      }),
    );
    expect(result.code).toBe(1);
    expect(result.output).toMatch(
      /^Cannot use the PostgreSQL database at 127\.0\.0\.1:1\/console: /,
    );
    expect(result.output.trim().split("\n")).toHaveLength(1);
    expect(result.output).not.toContain("hunter2");
  });
});
