// Shared setup for the connection check tests: a fake org holding canary credentials, and the
// assertion that none of them reaches a result.

import { expect, onTestFinished } from "vitest";
import type {
  ConnectionCheckOptions,
  ConnectionCheckResult,
  StepKey,
} from "../../src/salesforce/connection-check.ts";
import { runConnectionCheck } from "../../src/salesforce/connection-check.ts";
import type { FakeSalesforce, FakeSalesforceState } from "../support/fake-salesforce.ts";
import { startFakeSalesforce } from "../support/fake-salesforce.ts";

export const CLIENT_ID = "3MVG9CanaryConsumerKey0123456789abcdefghijklmnopqrstuvwxyz";
export const SECRET = "CANARY-SECRET-4b1f0e9d7c2a4e6f8a0b1c2d3e4f5a6b7c8d9e0f";
export const TOKEN = "00D5g000004ABCD!CANARY-TOKEN-9e8d7c6b5a4f3e2d1c0b.a9f8e7d6c5b4a3";

export async function fakeOrg(state: Partial<FakeSalesforceState> = {}): Promise<FakeSalesforce> {
  const fake = await startFakeSalesforce({
    clientId: CLIENT_ID,
    clientSecret: SECRET,
    accessToken: TOKEN,
    ...state,
  });
  onTestFinished(() => fake.close());
  return fake;
}

export function check(
  instanceUrl: string,
  input: { clientId?: string; clientSecret?: string } = {},
  options: ConnectionCheckOptions = {},
): Promise<ConnectionCheckResult> {
  return runConnectionCheck(
    { clientId: CLIENT_ID, clientSecret: SECRET, instanceUrl, ...input },
    { allowInsecureLoopback: true, timeoutMs: 2000, ...options },
  );
}

export function step(result: ConnectionCheckResult, key: StepKey) {
  const found = result.steps.find((candidate) => candidate.key === key);
  expect(found, `step ${key}`).toBeDefined();
  return found!;
}

export function statuses(result: ConnectionCheckResult): string[] {
  return result.steps.map((entry) => `${entry.key}:${entry.status}`);
}

/** No credential, in any spelling or even in part, may be in a result. */
export function expectSafe(result: ConnectionCheckResult, extra: string[] = []): void {
  const text = JSON.stringify(result);
  for (const value of [SECRET, TOKEN, ...extra]) {
    expect(text).not.toContain(value);
    expect(text).not.toContain(encodeURIComponent(value));
    expect(text).not.toContain(value.slice(0, 16));
    expect(text).not.toContain(value.slice(-16));
  }
  expect(text).not.toContain(CLIENT_ID);
  expect(text).not.toContain(CLIENT_ID.slice(4, 20));
}
