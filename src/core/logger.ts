// Structured logging with pino. Every field name that could carry a secret is redacted at any
// of the depths our log calls use, so a mistaken `log.info({ body })` cannot leak a value.

import pino, { type Logger } from "pino";

export type { Logger };

const SENSITIVE_KEYS = [
  "value",
  "values",
  "secret",
  "secrets",
  "password",
  "passwordHash",
  "token",
  "accessToken",
  "access_token",
  "clientSecret",
  "client_secret",
  "authorization",
  "cookie",
  "set-cookie",
  "csrf",
  "_csrf",
  "masterKeys",
  "key",
  "body",
  "plaintext",
];

function redactPaths(): string[] {
  const paths: string[] = [];
  for (const key of SENSITIVE_KEYS) {
    const safe = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
    const join = (prefix: string) =>
      safe.startsWith("[") ? `${prefix}${safe}` : `${prefix}.${safe}`;
    paths.push(safe.startsWith("[") ? safe.slice(2, -2) : safe);
    paths.push(join("*"), join("*.*"), join("*.*.*"));
  }
  return paths;
}

export interface LoggerOptions {
  level: string;
  /** Where lines go; tests pass a stream to read what was logged. */
  destination?: pino.DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: undefined,
      redact: { paths: redactPaths(), censor: "[redacted]" },
      serializers: { err: pino.stdSerializers.err },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
