// Runs `runWithSecrets` as its own process, the way the CLI will, so a test can send signals to
// it without signalling the test runner. The console URL and token come from the environment;
// the command and its arguments from argv.
import { runWithSecrets } from "../../../src/runtime/run-command.ts";

const [command, ...args] = process.argv.slice(2);

try {
  const code = await runWithSecrets({
    url: process.env.SECRETS_CONSOLE_URL ?? "",
    token: process.env.SECRETS_CONSOLE_TOKEN ?? "",
    command: command ?? "",
    args,
  });
  process.exit(code);
} catch (error) {
  process.stderr.write(`${(error as Error).name}: ${(error as Error).message}\n`);
  process.exit(2);
}
