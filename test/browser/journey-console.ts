// A console process for the browser journeys: a real server on a free port with a database of
// its own, that lets the Salesforce check reach a fake org on 127.0.0.1. Runner-free, so that
// scripts/screenshots.ts starts the same console as the tests.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startConsole } from "../support/process.ts";

export interface JourneyConsole {
  url: string;
  /** Everything the process printed so far. */
  output(): string;
  /** The one-time link a first start prints while no account exists. */
  setupLink(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Where the console keeps its data: a server database (with its master keys), or an embedded
 * one in `dataDir` (prepared by the caller) or in a new folder (the slow first start).
 */
export type JourneyDatabase =
  | { kind: "embedded"; dataDir?: string }
  | { kind: "postgres"; url: string; masterKeys: string };

const SETUP_LINK = /(http:\/\/\S+\/setup\?token=[\w-]+)/;

export async function startJourneyConsole(
  database: JourneyDatabase = { kind: "embedded" },
): Promise<JourneyConsole> {
  const dataDir =
    (database.kind === "embedded" && database.dataDir) ||
    mkdtempSync(path.join(tmpdir(), "secrets-console-browser-"));
  const env =
    database.kind === "postgres"
      ? { DATABASE_URL: database.url, SECRETS_MASTER_KEYS: database.masterKeys }
      : { DATA_DIR: dataDir };
  const server = await startConsole({ ...env, SALESFORCE_ALLOW_INSECURE_LOOPBACK: "1" });

  return {
    url: server.url,
    output: server.output,
    async setupLink() {
      // The link is printed just after the "listening" line, once the token is stored.
      for (let waited = 0; waited < 20_000; waited += 50) {
        const match = server.output().match(SETUP_LINK);
        if (match) return match[1]!;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new SetupLinkMissingError(server.output());
    },
    async stop() {
      await server.stop("SIGKILL");
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export class SetupLinkMissingError extends Error {
  constructor(output: string) {
    super(`the console printed no setup link within 20 s:\n${output}`);
    this.name = "SetupLinkMissingError";
  }
}
