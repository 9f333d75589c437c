// Commands for operators and scripts: `npm run cli -- <command> [options]`.

import { openConsoleDatabase } from "./core/boot.ts";
import { loadConfig } from "./core/config.ts";
import { StartupError } from "./core/errors.ts";

const USAGE = `Usage: npm run cli -- <command>

Commands:
  migrate    apply the database migrations and exit
`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [command] = argv;

  switch (command) {
    case "migrate": {
      const opened = await openConsoleDatabase(loadConfig(), "npm run cli -- migrate");
      await opened.close();
      process.stdout.write("Migrations are up to date.\n");
      return 0;
    }
    case undefined:
    case "help":
    case "--help":
      process.stdout.write(USAGE);
      return 0;
    default:
      throw new UsageError(`Unknown command "${command}".\n\n${USAGE}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof StartupError || error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
    } else {
      process.stderr.write(`The command failed: ${(error as Error).message}\n`);
    }
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
