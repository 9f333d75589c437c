import express from "express";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VIEWS_DIR } from "../../src/app.ts";
import { errorHandler } from "../../src/core/http/error-handler.ts";
import { requestLog } from "../../src/core/http/request-log.ts";
import { createLogger } from "../../src/core/logger.ts";
import { createTestConsole, type TestConsole } from "../support/app.ts";

let console_: TestConsole;

beforeAll(async () => {
  console_ = await createTestConsole();
});

afterAll(async () => {
  await console_.close();
});

describe("health", () => {
  it("answers /healthz while the process is up", async () => {
    const response = await request(console_.app).get("/healthz").expect(200);
    expect(response.body).toEqual({ status: "ok" });
  });

  it("answers /readyz when the database is reachable and migrated", async () => {
    const response = await request(console_.app).get("/readyz").expect(200);
    expect(response.body).toEqual({ status: "ready" });
  });
});

describe("pages and errors", () => {
  it("serves pages with security headers and no caching", async () => {
    await request(console_.app)
      .get("/")
      .expect(303)
      .expect("Location", /^\/sign-in/);
    const response = await request(console_.app).get("/sign-in").expect(200);
    expect(response.text).toContain("Secrets console");
    expect(response.headers["content-security-policy"]).toContain("script-src 'self'");
    expect(response.headers["cache-control"]).toBe("no-store");
    expect(response.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("answers an unknown address with the 404 page", async () => {
    const response = await request(console_.app).get("/no/such/page").expect(404);
    expect(response.text).toContain("Not found");
  });

  it("answers an oversized form body with a 413 page, not a stack trace", async () => {
    const response = await request(console_.app)
      .post("/sign-in")
      .set("Content-Type", "application/x-www-form-urlencoded")
      .send(`a=${"x".repeat(1_100_000)}`)
      .expect(413);
    expect(response.text).toContain("larger than the console accepts");
    expect(response.text).not.toMatch(/at .*\.(ts|js):\d+/);
  });

  it("shows a 500 with the request id and no internals, and logs the details", async () => {
    const logs: string[] = [];
    const logger = createLogger({
      level: "info",
      destination: { write: (l) => void logs.push(l) },
    });
    const app = express();
    app.set("view engine", "ejs");
    app.set("views", VIEWS_DIR);
    app.use(requestLog(logger));
    app.get("/boom", () => {
      throw new Error("connection string postgres://admin:hunter2@db/internal");
    });
    app.use(errorHandler);

    const response = await request(app).get("/boom").expect(500);
    const requestId = String(response.headers["x-request-id"]);
    expect(response.text).toContain(requestId);
    expect(response.text).not.toContain("hunter2");
    expect(response.text).not.toContain("postgres://");
    expect(logs.some((line) => line.includes(requestId) && line.includes('"level":50'))).toBe(true);
  });

  it("answers JSON to a client that asks for JSON", async () => {
    const response = await request(console_.app)
      .get("/missing")
      .set("Accept", "application/json")
      .expect(404);
    expect(response.body.error).toMatch(/nothing at this address/);
  });
});

describe("request log", () => {
  it("writes one line per request with its id, and never the query string", async () => {
    const response = await request(console_.app).get("/healthz?token=canary-query-1234");
    const requestId = String(response.headers["x-request-id"]);
    const lines = console_.logs.filter((line) => line.includes(requestId));
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({ method: "GET", path: "/healthz", status: 200, msg: "request" });
    expect(console_.logs.join("\n")).not.toContain("canary-query-1234");
  });

  it("redacts fields that could hold a secret at any depth", () => {
    const logs: string[] = [];
    const logger = createLogger({
      level: "info",
      destination: { write: (l) => void logs.push(l) },
    });
    logger.info(
      {
        value: "canary-v",
        secret: { value: "canary-nested" },
        req: { headers: { authorization: "Bearer canary-auth", cookie: "sid=canary-cookie" } },
        form: { password: "canary-pass", token: "canary-token", clientSecret: "canary-cs" },
      },
      "redaction",
    );
    expect(logs.join("")).not.toMatch(/canary/);
    expect(logs.join("")).toContain("[redacted]");
  });
});
