// Commands for operators and scripts: `npm run cli -- <command> [options]`.

import { type ParseArgsConfig, parseArgs } from "node:util";
import { createOwnerCommand, readPassword } from "./accounts/commands.ts";
import { openConsoleDatabase } from "./core/boot.ts";
import { loadConfig } from "./core/config.ts";
import { StartupError } from "./core/errors.ts";
import { createLogger } from "./core/logger.ts";
import { addKeyCommand, generateKeyCommand, rotateKeyCommand } from "./keys/commands.ts";
import {
  parseRunArgs,
  RunNotStartedError,
  RunUsageError,
  runWithSecrets,
} from "./runtime/run-command.ts";

const USAGE = `Usage: npm run cli -- <command> [options]

Commands:
  migrate                      apply the database migrations and exit
  generate-key [--id ID]       print a new master key entry for SECRETS_MASTER_KEYS
  add-key [--id ID]            add a new active key to the embedded key file (data/master-keys)
  rotate-key [--batch-size N]  re-wrap every data key under the active master key; safe to
                               stop and run again
  create-owner --email E [--name N]
                               create the first owner; the password is read from standard input
  run --url URL [--feature KEY] -- COMMAND [ARGS...]
                               start COMMAND with an environment's secrets as environment
                               variables; the runtime token comes from SECRETS_CONSOLE_TOKEN
                               (or --token); exits with COMMAND's exit code, 125 if it could
                               not start
`;

/** `run`'s exit code when the command did not start, as `env` and `docker run` use it. */
const RUN_NOT_STARTED = 125;

class UsageError extends Error {}

const print = (line: string) => process.stdout.write(`${line}\n`);

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const options = <T extends NonNullable<ParseArgsConfig["options"]>>(spec: T) => {
    try {
      return parseArgs({ args: rest, options: spec, strict: true, allowPositionals: false }).values;
    } catch (error) {
      throw new UsageError(`${(error as Error).message}\n\n${USAGE}`);
    }
  };

  switch (command) {
    case "migrate": {
      options({});
      const opened = await openConsoleDatabase(loadConfig(), "npm run cli -- migrate");
      await opened.close();
      print("Migrations are up to date.");
      return 0;
    }
    case "generate-key": {
      const { id } = options({ id: { type: "string" } });
      generateKeyCommand(print, id);
      return 0;
    }
    case "add-key": {
      const { id } = options({ id: { type: "string" } });
      const config = loadConfig();
      await addKeyCommand(config, cliLogger(config.logLevel), print, id);
      return 0;
    }
    case "rotate-key": {
      const values = options({ "batch-size": { type: "string", default: "1000" } });
      const batchSize = Number(values["batch-size"]);
      if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
        throw new UsageError("--batch-size must be a whole number from 1 to 10000.");
      }
      const config = loadConfig();
      await rotateKeyCommand(config, cliLogger(config.logLevel), print, { batchSize });
      return 0;
    }
    case "create-owner": {
      const values = options({ email: { type: "string" }, name: { type: "string" } });
      if (!values.email) throw new UsageError(`create-owner needs --email.\n\n${USAGE}`);
      const password = await readPassword();
      await createOwnerCommand(loadConfig(), print, { ...values, email: values.email, password });
      return 0;
    }
    case "run":
      // The command's own options follow `--`, so parseArgs would refuse them.
      return await runWithSecrets(parseRunArgs(rest));
    case undefined:
    case "help":
    case "--help":
      process.stdout.write(USAGE);
      return 0;
    default:
      throw new UsageError(`Unknown command "${command}".\n\n${USAGE}`);
  }
}

/** Commands print their results; the logger carries only warnings, to standard error. */
function cliLogger(level: string) {
  return createLogger({ level: level === "info" ? "warn" : level, destination: process.stderr });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof RunNotStartedError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(RUN_NOT_STARTED);
    }
    if (
      error instanceof StartupError ||
      error instanceof UsageError ||
      error instanceof RunUsageError
    ) {
      process.stderr.write(`${error.message}\n`);
    } else {
      process.stderr.write(`The command failed: ${(error as Error).message}\n`);
    }
    process.exit(error instanceof UsageError || error instanceof RunUsageError ? 2 : 1);
  },
);
