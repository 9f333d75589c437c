// The `run` command: starts an application's server runtime with its environment's secrets as
// environment variables, so a program that reads `process.env` needs no client at all.
import { type StdioOptions, spawn } from "node:child_process";
import { constants } from "node:os";
import { createSecretsClient, type FetchLike, type SecretsClientError } from "./client.ts";

/** The words given to `run` cannot be understood; the message says what to change. */
export class RunUsageError extends Error {
  override name = "RunUsageError";

  /** The problem alone, without the usage text that follows it in the message. */
  readonly problem: string;

  constructor(problem: string) {
    super(`${problem}\n\n${RUN_USAGE}`);
    this.problem = problem;
  }
}

/** The command was not started: its secrets could not be read, or the system could not start it. */
export class RunNotStartedError extends Error {
  override name = "RunNotStartedError";
}

export const RUN_USAGE = [
  "Usage: run --url URL [--token TOKEN] [--feature KEY] -- COMMAND [ARGS...]",
  "",
  "  --url URL        the secrets console, or SECRETS_CONSOLE_URL",
  "  --token TOKEN    a runtime token (scrt_...), or SECRETS_CONSOLE_TOKEN; prefer the",
  "                   variable, since other users of this machine can see command lines",
  "  --feature KEY    the feature that reads the secrets, sent as X-Feature",
].join("\n");

export interface RunArgs {
  url: string;
  token: string;
  feature?: string;
  command: string;
  args: string[];
}

export interface RunOptions extends RunArgs {
  /** The environment the command inherits before secrets are added; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Passed to `spawn`; default "inherit". */
  stdio?: StdioOptions;
  timeoutMs?: number;
  fetch?: FetchLike;
}

const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT"] as const;

/**
 * Reads the environment's secrets once, runs the command with them and resolves with its exit
 * code (128 + the signal's number when a signal ended it), for the caller to `process.exit` with.
 */
export async function runWithSecrets(options: RunOptions): Promise<number> {
  if (!options.command) throw new RunUsageError("No command to run was given.");

  const client = createSecretsClient({
    url: options.url,
    token: options.token,
    feature: options.feature,
    timeoutMs: options.timeoutMs,
    fetch: options.fetch,
  });
  let secrets: Record<string, string>;
  try {
    secrets = await client.getAll();
  } catch (error) {
    const reason = (error as SecretsClientError).message;
    throw new RunNotStartedError(`Did not start ${options.command}: ${reason}`, { cause: error });
  }

  const env = { ...(options.env ?? process.env), ...secrets };
  return await runChild(options.command, options.args, env, options.stdio ?? "inherit");
}

function runChild(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  stdio: StdioOptions,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio, shell: false });

    // A terminal's Ctrl-C reaches the whole process group, so the child may see SIGINT twice;
    // forwarding anyway is what keeps `kill` from a supervisor working, which matters more.
    const forward = (signal: NodeJS.Signals) => {
      child.kill(signal);
    };
    for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
    const stopForwarding = () => {
      for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
    };

    child.once("error", (error) => {
      stopForwarding();
      reject(new RunNotStartedError(`Could not start ${command}: ${error.message}`));
    });
    child.once("close", (code, signal) => {
      stopForwarding();
      resolve(signal ? 128 + (constants.signals[signal] ?? 0) : (code ?? 1));
    });
  });
}

/**
 * Reads `--url U --token T [--feature F] -- command args...` (the words after `run`; a leading
 * `run` is skipped). The URL and token may come from SECRETS_CONSOLE_URL and
 * SECRETS_CONSOLE_TOKEN instead. The command starts after `--` or at the first word that is not
 * an option, and every word after it belongs to the command.
 */
export function parseRunArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): RunArgs {
  const words = argv[0] === "run" ? argv.slice(1) : [...argv];
  const given: Partial<Record<"url" | "token" | "feature", string>> = {};
  let index = 0;

  while (index < words.length) {
    const word = words[index] as string;
    if (word === "--") {
      index += 1;
      break;
    }
    if (!word.startsWith("-")) break;

    const [option, inline] = splitOption(word);
    if (option !== "--url" && option !== "--token" && option !== "--feature") {
      throw new RunUsageError(`Unknown option ${option}.`);
    }
    const value = inline ?? words[index + 1];
    if (value === undefined || value === "" || (inline === undefined && value.startsWith("--"))) {
      throw new RunUsageError(`${option} needs a value.`);
    }
    given[option.slice(2) as "url" | "token" | "feature"] = value;
    index += inline === undefined ? 2 : 1;
  }

  const url = given.url ?? env.SECRETS_CONSOLE_URL;
  const token = given.token ?? env.SECRETS_CONSOLE_TOKEN;
  const [command, ...args] = words.slice(index);
  if (!url) throw new RunUsageError("No console URL: pass --url or set SECRETS_CONSOLE_URL.");
  if (!token) {
    throw new RunUsageError("No runtime token: set SECRETS_CONSOLE_TOKEN or pass --token.");
  }
  if (!token.startsWith("scrt_"))
    throw new RunUsageError("The runtime token must start with scrt_.");
  if (!command) throw new RunUsageError("No command to run: put it after --.");

  const parsed: RunArgs = { url, token, command, args };
  if (given.feature) parsed.feature = given.feature;
  return parsed;
}

function splitOption(word: string): [string, string | undefined] {
  const equals = word.indexOf("=");
  return equals === -1 ? [word, undefined] : [word.slice(0, equals), word.slice(equals + 1)];
}
