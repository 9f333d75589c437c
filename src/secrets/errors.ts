// The ways a change to a secret is refused because the stored state moved on or stands in the
// way. Routes catch them to show a page that says what happened and what to do next.

import { ConflictError, NotFoundError } from "../core/errors.ts";

/** A live secret of that name already exists in the environment. */
export class SecretExistsError extends ConflictError {
  constructor(
    readonly secretName: string,
    readonly environmentName: string,
  ) {
    super(`${secretName} already exists in ${environmentName}. Edit it to change its value.`);
  }
}

/** The form was opened on an older version: someone saved in between. */
export class StaleVersionError extends ConflictError {
  /** Built from the secret as it stands now, against the version the form was opened on. */
  static of(
    current: { name: string; currentVersion: number; updatedBy: string | null; updatedAt: Date },
    expectedVersion: number,
  ): StaleVersionError {
    return new StaleVersionError(
      current.name,
      expectedVersion,
      current.currentVersion,
      current.updatedBy,
      current.updatedAt,
    );
  }

  constructor(
    readonly secretName: string,
    readonly expectedVersion: number,
    readonly currentVersion: number,
    readonly changedBy: string | null,
    readonly changedAt: Date,
  ) {
    super(
      `${secretName} was changed by ${changedBy ?? "someone else"} while you were editing ` +
        `(version ${currentVersion}, you opened version ${expectedVersion}). Nothing was saved.`,
    );
  }
}

export class SecretNotFoundError extends NotFoundError {
  constructor(secretName: string, environmentName: string) {
    super(`There is no secret ${secretName} in ${environmentName}.`);
  }
}
