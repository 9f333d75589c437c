// The errors a request can end with. Each carries the HTTP status it maps to; the error
// middleware (http/error-handler.ts) is the one place that turns them into pages or JSON.

/** An error whose message is written for the person who caused it and may be shown. */
export class AppError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = new.target.name;
    this.status = status;
  }
}

/** Input that cannot be accepted; `fields` maps a form field to what is wrong with it. */
export class BadRequestError extends AppError {
  readonly fields: Record<string, string>;

  constructor(message: string, fields: Record<string, string> = {}) {
    super(400, message);
    this.fields = fields;
  }
}

export class UnauthorizedError extends AppError {
  constructor(message = "Sign in to continue.") {
    super(401, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = "You do not have permission to do that.") {
    super(403, message);
  }
}

export class NotFoundError extends AppError {
  constructor(message = "There is nothing at this address.") {
    super(404, message);
  }
}

/** The change was based on state that has moved on (another owner saved first, a name exists). */
export class ConflictError extends AppError {
  constructor(message: string) {
    super(409, message);
  }
}

export class TooManyRequestsError extends AppError {
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number) {
    super(429, message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * A start-up problem an operator fixes (a setting, a held data directory, an unreachable
 * database). The server prints its message as one sentence and exits; no stack trace.
 */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StartupError";
  }
}
