import { mkdtempSync, statSync } from "node:fs";
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
  return mkdtempSync(path.join(tmpdir(), "secrets-console-keys-"));
}

describe("master keys at start", () => {
  it("creates a key file readable by its owner alone and says once to back it up", async () => {
    const dataDir = freshDataDir();
    const first = await startConsole({ DATA_DIR: dataDir });
    running.push(first);
    expect(first.output()).toMatch(/Created master key k\d{8}-\w+ in .*master-keys\. Back it up/);
    expect(statSync(path.join(dataDir, "master-keys")).mode & 0o777).toBe(0o600);
    expect(await first.stop()).toBe(0);

    const second = await startConsole({ DATA_DIR: dataDir });
    running.push(second);
    expect(second.output()).not.toContain("Created master key");
  });

  it("refuses to start with the wrong key for a known id, naming the id", async () => {
    const dataDir = freshDataDir();
    const right = formatKeyringEntry(generateMasterKey("k-prod"));
    const first = await startConsole({ DATA_DIR: dataDir, SECRETS_MASTER_KEYS: right });
    running.push(first);
    expect(await first.stop()).toBe(0);

    const wrong = formatKeyringEntry(generateMasterKey("k-prod"));
    const result = await finished(
      spawnEntry("src/server.ts", { DATA_DIR: dataDir, PORT: "0", SECRETS_MASTER_KEYS: wrong }),
    );
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/^Master key k-prod is not the key this database was encrypted/);
    expect(result.output.trim().split("\n")).toHaveLength(1);
    expect(result.output).not.toContain(wrong.split(":")[1]!);
  });

  it("refuses a PostgreSQL start without SECRETS_MASTER_KEYS before connecting", async () => {
    const result = await finished(
      spawnEntry("src/server.ts", {
        PORT: "0",
        DATABASE_URL: "postgres://nobody@127.0.0.1:1/none",
      }),
    );
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/^SECRETS_MASTER_KEYS is not set; with DATABASE_URL the master/);
  });
});
