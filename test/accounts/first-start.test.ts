// The first owner through real processes: the link a first start prints, and the
// create-owner command reading its password from standard input.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type ConsoleProcess, finished, spawnEntry, startConsole } from "../support/process.ts";

/** Each CLI run or server start opens PGlite afresh: seconds each, more on a busy machine. */
const PROCESS_TIMEOUT_MS = 120_000;

const running: ConsoleProcess[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.stop("SIGKILL")));
});

function freshDataDir(): string {
  return mkdtempSync(path.join(tmpdir(), "secrets-console-first-"));
}

async function waitFor(read: () => string, pattern: RegExp): Promise<RegExpMatchArray> {
  for (let waited = 0; waited < 20_000; waited += 50) {
    const match = read().match(pattern);
    if (match) return match;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`nothing matched ${pattern} in:\n${read()}`);
}

function createOwner(dataDir: string, email: string, password: string) {
  const child = spawnEntry("src/cli.ts", { DATA_DIR: dataDir }, ["create-owner", "--email", email]);
  const result = finished(child);
  child.stdin?.end(`${password}\n`);
  return result;
}

describe("a first start", () => {
  it(
    "prints a one-time setup link, outside the log, that creates the first owner",
    async () => {
      const server = await startConsole({ DATA_DIR: freshDataDir() });
      running.push(server);

      const [link, token] = await waitFor(server.output, /(http:\/\/\S+\/setup\?token=([\w-]+))/);
      expect(new URL(link!).origin).toBe(server.url);
      const logLines = server
        .output()
        .split("\n")
        .filter((line) => line.startsWith("{"));
      expect(logLines.join("\n")).not.toContain(token);

      const page = await fetch(link!);
      expect(page.status).toBe(200);
      const cookie = page.headers.get("set-cookie")!.split(";")[0]!;
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
      const created = await fetch(link!, {
        method: "POST",
        redirect: "manual",
        headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          _csrf: csrf,
          name: "First Owner",
          email: "first@example.test",
          password: "the first owner's password",
        }),
      });
      expect(created.status).toBe(303);
      expect(created.headers.get("set-cookie")).toMatch(/^sc_session=/);

      expect((await fetch(link!)).status).toBe(404);
    },
    PROCESS_TIMEOUT_MS,
  );
});

describe("npm run cli -- create-owner", () => {
  it(
    "creates the first owner from a piped password, and refuses a second one",
    async () => {
      const dataDir = freshDataDir();

      const short = await createOwner(dataDir, "ops@example.test", "short");
      expect(short.code).toBe(1);
      expect(short.output).toContain("The password on standard input: Use at least 12 characters.");

      const created = await createOwner(dataDir, "ops@example.test", "a scripted password 1");
      expect(created.code, created.output).toBe(0);
      expect(created.output).toContain("Created the owner ops <ops@example.test>.");
      expect(created.output).not.toContain("a scripted password 1");

      const again = await createOwner(dataDir, "other@example.test", "a scripted password 2");
      expect(again.code).toBe(1);
      expect(again.output).toContain("The console already has an account.");

      // The server started afterwards prints no setup link: an account exists.
      const server = await startConsole({ DATA_DIR: dataDir });
      running.push(server);
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(server.output()).not.toContain("/setup?token=");
    },
    PROCESS_TIMEOUT_MS,
  );

  it("asks for --email", async () => {
    const result = await finished(spawnEntry("src/cli.ts", {}, ["create-owner"]));
    expect(result.code).toBe(2);
    expect(result.output).toContain("create-owner needs --email.");
  });
});
