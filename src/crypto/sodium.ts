// Loads libsodium's WebAssembly once, so the rest of the module can stay synchronous.

import sodium from "libsodium-wrappers-sumo";
import { CryptoNotReadyError } from "./errors.ts";

export type Sodium = typeof sodium;

let ready = false;

/** Awaits libsodium once at start; later calls resolve at once. */
export async function initCrypto(): Promise<void> {
  await sodium.ready;
  ready = true;
}

/** libsodium, or a clear error when `initCrypto()` has not resolved yet. */
export function readySodium(): Sodium {
  if (!ready) {
    throw new CryptoNotReadyError();
  }

  return sodium;
}
