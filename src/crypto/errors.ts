// Errors of the encryption module. Their messages may name a master key id or an entry number,
// never key material, a data key or a secret value, so callers can log and show them as they are.

/** Base class, so one error mapper can recognise every failure of this module. */
export class CryptoError extends Error {
  override name = "CryptoError";
}

/** A sync function of this module ran before `initCrypto()` had resolved. */
export class CryptoNotReadyError extends CryptoError {
  override name = "CryptoNotReadyError";

  constructor() {
    super("the encryption module is not ready: await initCrypto() once at start");
  }
}

/**
 * A sealed value or wrapped key did not open: it was altered, moved to another place, or the
 * master key under this id is not the one it was sealed with. Which one is deliberately not told.
 */
export class DecryptionError extends CryptoError {
  override name = "DecryptionError";
  readonly keyId: string;

  constructor(keyId: string, part: "value" | "data key") {
    super(
      `the ${part} sealed under master key "${keyId}" did not open: it was altered, moved ` +
        "from another secret, environment or version, or the master key is wrong",
    );
    this.keyId = keyId;
  }
}

/** The keyring holds no master key with the id a sealed value names. */
export class UnknownKeyError extends CryptoError {
  override name = "UnknownKeyError";
  readonly keyId: string;

  constructor(keyId: string, knownIds: readonly string[]) {
    super(`master key "${keyId}" is not in the keyring (it holds: ${knownIds.join(", ")})`);
    this.keyId = keyId;
  }
}

/** The master key configuration (text, file or arguments) is wrong; the message says how. */
export class KeyringError extends CryptoError {
  override name = "KeyringError";
}

/** `createKeyFile` refused to replace a key file that already exists. */
export class KeyFileExistsError extends KeyringError {
  override name = "KeyFileExistsError";
  readonly path: string;

  constructor(path: string) {
    super(`the key file ${path} already exists; it is never overwritten`);
    this.path = path;
  }
}

/** A value to seal cannot be stored as UTF-8 without changing it (it holds a lone surrogate). */
export class InvalidValueError extends CryptoError {
  override name = "InvalidValueError";

  constructor() {
    super("the value is not valid Unicode text: it holds an unpaired surrogate character");
  }
}
