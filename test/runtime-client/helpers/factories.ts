// Small builders shared by the runtime client tests: a stub console with one Production token,
// unique canary tokens, and a clock the test moves by hand.
import { type StubRuntimeApi, startStubRuntimeApi } from "../../support/stub-runtime-api.ts";

const openStubs: StubRuntimeApi[] = [];

/** A runtime token no other test uses, so finding it in a message proves a leak. */
export function uniqueToken(): string {
  return `scrt_canary${Math.random().toString(36).slice(2)}${Date.now()}`;
}

/** A stub console whose returned token reads Production; closed by `closeStubs`. */
export async function productionConsole(
  secrets: Record<string, string> = { SF_CLIENT_ID: "id-1" },
): Promise<{ stub: StubRuntimeApi; token: string }> {
  const token = uniqueToken();
  const stub = await startStubRuntimeApi({
    environments: { Production: secrets, Preview: { SF_CLIENT_ID: "preview-id" } },
    tokens: { [token]: "Production" },
  });
  openStubs.push(stub);
  return { stub, token };
}

export async function closeStubs(): Promise<void> {
  await Promise.all(openStubs.splice(0).map((stub) => stub.close()));
}

/** A clock for the client's `now` option, so TTLs pass without waiting. */
export function manualClock(): { now: () => number; advance: (ms: number) => void } {
  let time = 1_000_000;
  return {
    now: () => time,
    advance: (ms) => {
      time += ms;
    },
  };
}

/** The rejection of a promise expected to fail, for assertions on its class and message. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the promise to reject");
}
