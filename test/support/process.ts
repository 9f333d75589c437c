// Starts the console (or a CLI command) as a real process, for what only a process shows:
// start-up refusals, exit codes, signals, and the ownership of the data directory.

import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface ConsoleProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Runs a TypeScript entry point of the console with tsx and the given environment. */
export function spawnEntry(entry: string, env: NodeJS.ProcessEnv, args: string[] = []) {
  return spawn(process.execPath, ["--import", "tsx", entry, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
}

/** Collects a process's output and resolves with its exit code and everything it printed. */
export function finished(child: ChildProcess): Promise<{ code: number | null; output: string }> {
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, output })));
}

/** Starts the server on a free port and resolves once it listens. */
export async function startConsole(env: NodeJS.ProcessEnv): Promise<ConsoleProcess> {
  const child = spawnEntry("src/server.ts", { PORT: "0", LOG_LEVEL: "info", ...env });
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // A console that never said it listens must not outlive the test that started it.
      child.kill("SIGKILL");
      reject(new Error(`no start within 60 s:\n${output}`));
    }, 60_000);
    const look = () => {
      const match = output.match(/listening on (http:\/\/[^"\s]+)/);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout?.on("data", look);
    child.on("exit", () => {
      clearTimeout(timer);
      reject(new Error(`the console exited before listening:\n${output}`));
    });
  });

  return {
    child,
    url,
    output: () => output,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
