import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/core/config.ts";
import { StartupError } from "../../src/core/errors.ts";

function refusal(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(StartupError);
    return (error as Error).message;
  }
  throw new Error("the configuration was accepted");
}

describe("configuration", () => {
  it("serves the embedded database on 127.0.0.1:3000 from ./data when nothing is set", () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.host).toBe("127.0.0.1");
    expect(config.dataDir).toBe(path.resolve("data"));
    expect(config.databaseUrl).toBeUndefined();
    expect(config.publicUrl).toBe("http://127.0.0.1:3000");
    expect(config.secureCookies).toBe(false);
  });

  it("refuses a port that is not a number with one sentence naming PORT", () => {
    const message = refusal({ PORT: "abc" });
    expect(message).toMatch(/^PORT .*; set it to a free port/);
    expect(message.split("\n")).toHaveLength(1);
  });

  it("refuses a port out of range", () => {
    expect(refusal({ PORT: "70000" })).toMatch(/^PORT must be between 0 and 65535/);
  });

  it("refuses a DATABASE_URL that is not a postgres URL", () => {
    expect(refusal({ DATABASE_URL: "mysql://x" })).toMatch(/^DATABASE_URL must be a postgres/);
  });

  it("refuses an unknown log level and lists the good ones", () => {
    expect(refusal({ LOG_LEVEL: "loud" })).toMatch(/^LOG_LEVEL must be one of fatal, error/);
  });

  it("reads DATABASE_URL from the file named by DATABASE_URL_FILE", () => {
    const file = path.join(tmpdir(), `db-url-${process.pid}`);
    writeFileSync(file, "postgres://u:p@db.internal:5432/console\n");
    expect(loadConfig({ DATABASE_URL_FILE: file }).databaseUrl).toBe(
      "postgres://u:p@db.internal:5432/console",
    );
  });

  it("refuses a setting given both directly and as a file", () => {
    expect(refusal({ DATABASE_URL: "postgres://a/b", DATABASE_URL_FILE: "/x" })).toMatch(
      /DATABASE_URL and DATABASE_URL_FILE are both set/,
    );
  });

  it("refuses a *_FILE that cannot be read, without echoing anything from it", () => {
    expect(refusal({ SECRETS_MASTER_KEYS_FILE: "/nonexistent/keys" })).toMatch(
      /^SECRETS_MASTER_KEYS_FILE names \/nonexistent\/keys, which cannot be read/,
    );
  });

  it("uses secure cookies when the public URL is https", () => {
    const config = loadConfig({ PUBLIC_URL: "https://secrets.example.com/" });
    expect(config.publicUrl).toBe("https://secrets.example.com");
    expect(config.secureCookies).toBe(true);
  });
});
