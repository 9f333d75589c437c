// The operator's key commands, run through src/cli.ts: print a new key, add one to the
// embedded key file, and rotate every data key onto the active master key.

import { openConsole } from "../core/boot.ts";
import type { Config } from "../core/config.ts";
import { StartupError } from "../core/errors.ts";
import type { Logger } from "../core/logger.ts";
import { appendKeyToFile, formatKeyringEntry, generateMasterKey } from "../crypto/keyring.ts";
import { embeddedKeyFile, loadKeyring, usesEmbeddedKeyFile } from "./keyring-source.ts";
import { rotateDataKeys } from "./rotation.ts";

type Print = (line: string) => void;

export function generateKeyCommand(print: Print, id?: string): void {
  print(formatKeyringEntry(generateMasterKey(id)));
}

/** Appends a new active key to the embedded key file; the console uses it after a restart. */
export async function addKeyCommand(config: Config, logger: Logger, print: Print, id?: string) {
  if (!usesEmbeddedKeyFile(config)) {
    throw new StartupError(
      "add-key edits the embedded key file, but SECRETS_MASTER_KEYS or " +
        "DATABASE_URL is set; add an entry from generate-key to SECRETS_MASTER_KEYS instead.",
    );
  }

  await loadKeyring(config, logger);
  const key = generateMasterKey(id);
  await appendKeyToFile(embeddedKeyFile(config), key);
  print(
    `Added master key ${key.id} to ${embeddedKeyFile(config)}; it is the active key from ` +
      "the next start. Back the file up, then run rotate-key to move the data keys onto it.",
  );
}

export async function rotateKeyCommand(
  config: Config,
  logger: Logger,
  print: Print,
  options: { batchSize: number },
): Promise<void> {
  const opened = await openConsole(config, logger, "npm run cli -- rotate-key");
  try {
    const result = await rotateDataKeys(opened.database, opened.keyring, {
      batchSize: options.batchSize,
      onBatch: ({ rewrapped, remaining }) =>
        print(`Re-wrapped ${rewrapped} data keys; ${remaining} to go.`),
    });

    print(
      `Every data key is wrapped under master key ${result.toKeyId} ` +
        `(${result.rewrapped} re-wrapped in this run).`,
    );
    if (result.forgottenKeyIds.length > 0) {
      print(
        `No stored value needs ${result.forgottenKeyIds.join(", ")} any more; remove it ` +
          "from the keyring once your backups no longer need it.",
      );
    }
  } finally {
    await opened.close();
  }
}
