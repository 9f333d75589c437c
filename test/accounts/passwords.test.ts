import { describe, expect, it } from "vitest";
import { createPasswordHasher, INTERACTIVE_LIMITS } from "../../src/accounts/passwords.ts";

// Cheap limits keep this file fast; the console's own limits are checked by the first test.
const cheap = createPasswordHasher({ opsLimit: 1, memLimit: 8192 });

describe("password hashing", () => {
  it("hashes with argon2id at libsodium's interactive limits by default", async () => {
    const hash = await createPasswordHasher().hash("a password of some length");
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=65536,t=2,p=1\$/);
    expect(INTERACTIVE_LIMITS).toEqual({ opsLimit: 2, memLimit: 64 * 1024 * 1024 });
  });

  it("verifies the right password and refuses a wrong one", async () => {
    const hash = await cheap.hash("correct horse battery");
    expect(await cheap.verify(hash, "correct horse battery")).toBe(true);
    expect(await cheap.verify(hash, "correct horse batterY")).toBe(false);
  });

  it("salts each hash, so one password never hashes the same twice", async () => {
    expect(await cheap.hash("same password here")).not.toBe(await cheap.hash("same password here"));
  });

  it("refuses, without throwing, a stored string that is not an argon2id hash", async () => {
    expect(await cheap.verify("plain text", "plain text")).toBe(false);
    expect(await cheap.verify("$argon2id$v=19$garbage", "x")).toBe(false);
  });

  it("asks for a rehash when the limits change", async () => {
    const hash = await cheap.hash("an old password here");
    expect(await cheap.needsRehash(hash)).toBe(false);
    expect(await createPasswordHasher().needsRehash(hash)).toBe(true);
  });

  it("always refuses against the dummy hash", async () => {
    expect(await cheap.verifyDummy("a password nobody has, for timing only")).toBe(false);
    expect(await cheap.verifyDummy("")).toBe(false);
  });
});
