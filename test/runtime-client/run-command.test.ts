// The `run` command: the child gets the secrets, its exit code comes back, signals reach it,
// and nothing starts when the secrets cannot be read.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { SecretsAuthError, SecretsConfigError } from "../../src/runtime/client.ts";
import {
  parseRunArgs,
  RunNotStartedError,
  RunUsageError,
  runWithSecrets,
} from "../../src/runtime/run-command.ts";
import { closeStubs, productionConsole, rejectionOf, uniqueToken } from "./helpers/factories.ts";

const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const helperPath = fileURLToPath(new URL("./helpers/run-in-process.ts", import.meta.url));

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await closeStubs();
});

async function scratchDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "run-command-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function nodeScript(script: string, ...args: string[]) {
  return { command: process.execPath, args: ["-e", script, ...args] };
}

describe("runWithSecrets", () => {
  it("resolves with the command's exit code", async () => {
    const { stub, token } = await productionConsole({ A: "a" });

    const code = await runWithSecrets({
      url: stub.url,
      token,
      ...nodeScript("process.exit(7)"),
      stdio: "ignore",
    });

    expect(code).toBe(7);
  });

  it("gives the command the current environment plus the secrets, secrets winning", async () => {
    const { stub, token } = await productionConsole({ SF_CLIENT_ID: "id-1", SHARED: "secret" });
    const out = join(await scratchDir(), "env.json");
    const script = `require("fs").writeFileSync(process.argv[1], JSON.stringify({
      id: process.env.SF_CLIENT_ID, shared: process.env.SHARED, kept: process.env.KEPT }))`;

    const code = await runWithSecrets({
      url: stub.url,
      token,
      ...nodeScript(script, out),
      env: { KEPT: "from-env", SHARED: "from-env" },
      stdio: "ignore",
    });

    expect(code).toBe(0);
    expect(JSON.parse(await readFile(out, "utf8"))).toEqual({
      id: "id-1",
      shared: "secret",
      kept: "from-env",
    });
  });

  it("sends the feature that reads", async () => {
    const { stub, token } = await productionConsole({ A: "a" });

    await runWithSecrets({
      url: stub.url,
      token,
      feature: "nightly-import",
      ...nodeScript(""),
      stdio: "ignore",
    });

    expect(stub.requests.map((request) => request.feature)).toEqual(["nightly-import"]);
  });

  it("does not start the command when the console is unreachable", async () => {
    const { stub, token } = await productionConsole({ A: "a" });
    const marker = join(await scratchDir(), "started");
    await stub.close();

    const run = runWithSecrets({
      url: stub.url,
      token,
      ...nodeScript(`require("fs").writeFileSync(process.argv[1], "")`, marker),
      stdio: "ignore",
    });

    const error = await rejectionOf(run);
    expect(error).toBeInstanceOf(RunNotStartedError);
    expect(error.message).toContain(`Did not start ${process.execPath}`);
    expect(error.message).toContain(stub.url);
    expect(error.message).not.toContain(token);
    expect(existsSync(marker)).toBe(false);
  });

  it("does not start the command when the runtime token is refused", async () => {
    const { stub } = await productionConsole({ A: "a" });
    const marker = join(await scratchDir(), "started");

    const run = runWithSecrets({
      url: stub.url,
      token: uniqueToken(),
      ...nodeScript(`require("fs").writeFileSync(process.argv[1], "")`, marker),
      stdio: "ignore",
    });

    const error = await rejectionOf(run);
    expect(error).toBeInstanceOf(RunNotStartedError);
    expect(error.cause).toBeInstanceOf(SecretsAuthError);
    expect(existsSync(marker)).toBe(false);
  });

  it("refuses a malformed token before asking the console", async () => {
    const { stub } = await productionConsole({ A: "a" });

    await expect(
      runWithSecrets({ url: stub.url, token: "not-a-token", ...nodeScript(""), stdio: "ignore" }),
    ).rejects.toBeInstanceOf(SecretsConfigError);
    expect(stub.requests).toHaveLength(0);
  });

  it("reports a command that does not exist as not started", async () => {
    const { stub, token } = await productionConsole({ A: "a" });

    await expect(
      runWithSecrets({
        url: stub.url,
        token,
        command: join(await scratchDir(), "no-such-program"),
        args: [],
        stdio: "ignore",
      }),
    ).rejects.toThrow(/Could not start .*ENOENT/);
  });

  it("stops forwarding signals once the command has ended", async () => {
    const { stub, token } = await productionConsole({ A: "a" });
    const before = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"].map((s) => process.listenerCount(s));

    await runWithSecrets({ url: stub.url, token, ...nodeScript(""), stdio: "ignore" });

    const after = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"].map((s) => process.listenerCount(s));
    expect(after).toEqual(before);
  });
});

describe("runWithSecrets in its own process", () => {
  // Starts the helper, which runs the script as its command, and waits until the command says
  // its handlers are installed by printing "ready <pid> <secret A>" on the shared stdout.
  async function startRun(url: string, token: string, script: string) {
    const run = spawn(
      process.execPath,
      ["--import", "tsx", helperPath, process.execPath, "-e", script],
      {
        cwd: repoRoot,
        env: { ...process.env, SECRETS_CONSOLE_URL: url, SECRETS_CONSOLE_TOKEN: token },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const exited = new Promise<number | null>((resolve) => run.once("exit", resolve));
    let stderr = "";
    run.stderr?.on("data", (chunk) => {
      stderr += chunk;
    });
    cleanups.push(() => killQuietly(run));

    const secretSeen = await new Promise<string>((resolve, reject) => {
      let stdout = "";
      run.stdout?.on("data", (chunk) => {
        stdout += chunk;
        const match = /ready (\d+) (\S*)/.exec(stdout);
        if (!match) return;
        cleanups.push(() => killQuietly(Number(match[1])));
        resolve(match[2] ?? "");
      });
      exited.then((code) => reject(new Error(`helper exited ${code} early: ${stderr}`)));
    });
    return { run, exited, secretSeen };
  }

  function killQuietly(target: ChildProcess | number) {
    try {
      if (typeof target === "number") process.kill(target, "SIGKILL");
      else target.kill("SIGKILL");
    } catch {
      // Already gone, which is the usual case.
    }
  }

  const announce = `process.stdout.write("ready " + process.pid + " " + process.env.A + "\\n");
    setInterval(() => {}, 1000);`;

  it.each(["SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT"] as const)(
    "forwards %s to the command and exits with the command's code",
    async (signal) => {
      const { stub, token } = await productionConsole({ A: "from-console" });
      const script = `process.on("${signal}", () => process.exit(42)); ${announce}`;
      const { run, exited, secretSeen } = await startRun(stub.url, token, script);

      expect(secretSeen).toBe("from-console");
      run.kill(signal);

      expect(await exited).toBe(42);
    },
  );

  it("exits with 128 plus the signal's number when the signal ends the command", async () => {
    const { stub, token } = await productionConsole({ A: "a" });
    const { run, exited } = await startRun(stub.url, token, announce);

    run.kill("SIGTERM");

    expect(await exited).toBe(128 + 15);
  });
});

describe("parseRunArgs", () => {
  const noEnv = {};

  it("reads the URL, token, feature and the command after --", () => {
    const argv = ["--url", "http://127.0.0.1:3000", "--token", "scrt_abc", "--feature", "sync"];

    expect(parseRunArgs([...argv, "--", "node", "app.js", "--port", "8080"], noEnv)).toEqual({
      url: "http://127.0.0.1:3000",
      token: "scrt_abc",
      feature: "sync",
      command: "node",
      args: ["app.js", "--port", "8080"],
    });
  });

  it("accepts option=value and skips a leading run", () => {
    const argv = ["run", "--url=http://127.0.0.1:3000", "--token=scrt_abc", "--", "node"];

    expect(parseRunArgs(argv, noEnv)).toEqual({
      url: "http://127.0.0.1:3000",
      token: "scrt_abc",
      command: "node",
      args: [],
    });
  });

  it("takes the URL and token from the environment when not given", () => {
    const env = { SECRETS_CONSOLE_URL: "http://127.0.0.1:1", SECRETS_CONSOLE_TOKEN: "scrt_env" };

    expect(parseRunArgs(["--", "node", "app.js"], env)).toMatchObject({
      url: "http://127.0.0.1:1",
      token: "scrt_env",
      command: "node",
      args: ["app.js"],
    });
    expect(parseRunArgs(["--token", "scrt_flag", "node"], env).token).toBe("scrt_flag");
  });

  it("starts the command at the first word that is not an option", () => {
    const argv = ["--url", "http://127.0.0.1:1", "--token", "scrt_a", "node", "--url", "x"];

    expect(parseRunArgs(argv, noEnv)).toMatchObject({ command: "node", args: ["--url", "x"] });
  });

  it.each([
    ["no URL", ["--token", "scrt_a", "--", "node"], /SECRETS_CONSOLE_URL/],
    ["no token", ["--url", "http://127.0.0.1:1", "--", "node"], /SECRETS_CONSOLE_TOKEN/],
    ["no command", ["--url", "http://127.0.0.1:1", "--token", "scrt_a", "--"], /No command/],
    ["an unknown option", ["--verbose", "--", "node"], /Unknown option --verbose/],
    ["an option without its value", ["--url", "--token", "scrt_a"], /--url needs a value/],
    ["an empty inline value", ["--url=", "--", "node"], /--url needs a value/],
  ])("refuses %s with a usage error", (_case, argv, problem) => {
    const parse = () => parseRunArgs(argv, noEnv);

    expect(parse).toThrow(RunUsageError);
    expect(parse).toThrow(problem);
    expect(parse).toThrow(/Usage: run --url URL/);
  });

  it("refuses a token without the scrt_ prefix and does not repeat it", () => {
    const token = `canary${Date.now()}`;
    const parse = () => parseRunArgs(["--url", "http://x", "--token", token, "--", "node"], {});

    expect(parse).toThrow(/must start with scrt_/);
    expect(parse).not.toThrow(token);
  });
});
