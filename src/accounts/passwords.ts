// Password hashing with argon2id (libsodium's crypto_pwhash_str). Hashing is slow on purpose
// (about 0.2 s at INTERACTIVE limits), so sign-in is rate limited and nothing hashes on a hot path.

import sodium from "libsodium-wrappers-sumo";

export interface PasswordLimits {
  opsLimit: number;
  memLimit: number;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** False for a wrong password and for a string that is not a hash. */
  verify(hash: string, password: string): Promise<boolean>;
  /** True when the hash was made with other limits than the current ones. */
  needsRehash(hash: string): Promise<boolean>;
  /**
   * Verifies against a fixed hash made with the current limits, so an unknown email takes as
   * long to refuse as a wrong password. Always false.
   */
  verifyDummy(password: string): Promise<false>;
}

/** libsodium's INTERACTIVE limits for argon2id: 2 passes over 64 MiB. */
export const INTERACTIVE_LIMITS: PasswordLimits = { opsLimit: 2, memLimit: 64 * 1024 * 1024 };

export function createPasswordHasher(limits: PasswordLimits = INTERACTIVE_LIMITS): PasswordHasher {
  let dummy: Promise<string> | undefined;

  const hash = async (password: string) => {
    await sodium.ready;
    return sodium.crypto_pwhash_str(password, limits.opsLimit, limits.memLimit);
  };

  const verify = async (stored: string, password: string) => {
    await sodium.ready;
    if (!stored.startsWith("$argon2id$")) return false;
    try {
      return sodium.crypto_pwhash_str_verify(stored, password);
    } catch {
      // libsodium throws on a malformed hash; to the caller that is simply not a match.
      return false;
    }
  };

  return {
    hash,
    verify,
    async needsRehash(stored) {
      await sodium.ready;
      try {
        return sodium.crypto_pwhash_str_needs_rehash(stored, limits.opsLimit, limits.memLimit);
      } catch {
        return true;
      }
    },
    async verifyDummy(password) {
      dummy ??= hash("a password nobody has, for timing only");
      await verify(await dummy, password);
      return false;
    },
  };
}
