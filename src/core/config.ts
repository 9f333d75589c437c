// The console's settings, read from the environment once at start and validated in one place.
// Every other module receives the parsed Config; nothing else reads process.env.

import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { StartupError } from "./errors.ts";

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const flag = z
  .enum(["0", "1", "true", "false", ""], { message: "must be 1 or 0" })
  .transform((value) => value === "1" || value === "true");

const schema = z.object({
  PORT: z.coerce
    .number({ message: "must be a port number" })
    .int("must be a whole port number")
    .min(0, "must be between 0 and 65535")
    .max(65535, "must be between 0 and 65535")
    .default(3000),
  HOST: z.string().min(1, "must not be empty").default("127.0.0.1"),
  DATA_DIR: z.string().min(1, "must not be empty").default("./data"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/.+/, "must be a postgres:// URL")
    .optional(),
  LOG_LEVEL: z
    .enum(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(", ")}` })
    .default("info"),
  PUBLIC_URL: z
    .string()
    .regex(/^https?:\/\/[^/]+(\/.*)?$/, "must be an http:// or https:// URL")
    .optional(),
  SECRETS_MASTER_KEYS: z.string().optional(),
  SECRETS_ACTIVE_KEY_ID: z.string().optional(),
  SALESFORCE_ALLOW_INSECURE_LOOPBACK: flag.default(false),
});

const HINTS: Record<string, string> = {
  PORT: "set it to a free port such as 3000, or unset it",
  HOST: "set it to an address to listen on, such as 127.0.0.1 or 0.0.0.0",
  DATA_DIR: "set it to a writable folder, or unset it to use ./data",
  DATABASE_URL:
    "set it to postgres://user:password@host:5432/database, or unset it to use " +
    "the embedded database",
  LOG_LEVEL: "set it to info, or unset it",
  PUBLIC_URL: "set it to the address owners open, such as https://secrets.example.com",
  SALESFORCE_ALLOW_INSECURE_LOOPBACK: "set it to 1 or 0, or unset it",
};

/** Settings that may hold a secret and so may also be read from a file named by `<NAME>_FILE`. */
const FILE_VARIANTS = ["DATABASE_URL", "SECRETS_MASTER_KEYS"] as const;

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  logLevel: (typeof LOG_LEVELS)[number];
  publicUrl: string;
  secureCookies: boolean;
  masterKeys: string | undefined;
  activeKeyId: string | undefined;
  salesforceAllowInsecureLoopback: boolean;
}

/** Reads and validates the settings; a problem throws a StartupError naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, string | undefined> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    raw[key] = value === "" ? undefined : value;
  }

  for (const key of FILE_VARIANTS) {
    const file = env[`${key}_FILE`];
    if (!file) continue;
    if (raw[key] !== undefined) {
      throw new StartupError(`${key} and ${key}_FILE are both set; keep only one of them.`);
    }
    try {
      raw[key] = readFileSync(file, "utf8").trim();
    } catch {
      throw new StartupError(
        `${key}_FILE names ${file}, which cannot be read; fix the path or ` +
          "the file's permissions.",
      );
    }
  }

  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0]);
    const hint = HINTS[name] ?? "fix or unset it";
    throw new StartupError(`${name} ${issue.message}; ${hint}.`);
  }

  const settings = parsed.data;
  const publicUrl = (settings.PUBLIC_URL ?? defaultPublicUrl(settings.HOST, settings.PORT)).replace(
    /\/+$/,
    "",
  );

  return {
    port: settings.PORT,
    host: settings.HOST,
    dataDir: path.resolve(settings.DATA_DIR),
    databaseUrl: settings.DATABASE_URL,
    logLevel: settings.LOG_LEVEL,
    publicUrl,
    secureCookies: publicUrl.startsWith("https://"),
    masterKeys: settings.SECRETS_MASTER_KEYS,
    activeKeyId: settings.SECRETS_ACTIVE_KEY_ID,
    salesforceAllowInsecureLoopback: settings.SALESFORCE_ALLOW_INSECURE_LOOPBACK,
  };
}

function defaultPublicUrl(host: string, port: number): string {
  const shown = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;
  return `http://${shown.includes(":") ? `[${shown}]` : shown}:${port}`;
}
