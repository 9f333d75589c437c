// Errors the Salesforce client throws. Transport errors name what went wrong on the wire; their
// messages carry the host at most, never a URL's query, a request body or a header.

/** The request got no usable HTTP answer: timeout, refused connection, oversized body... */
export class SalesforceTransportError extends Error {
  constructor(
    message: string,
    readonly host: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "SalesforceTransportError";
  }
}

export class SalesforceTimeoutError extends SalesforceTransportError {
  constructor(
    host: string,
    readonly timeoutMs: number,
  ) {
    super(`${host} did not answer within ${timeoutMs} ms`, host);
    this.name = "SalesforceTimeoutError";
  }
}

export type UnreachableReason = "dns" | "refused" | "reset" | "tls" | "other";

export class SalesforceUnreachableError extends SalesforceTransportError {
  constructor(
    host: string,
    readonly reason: UnreachableReason,
    cause?: unknown,
  ) {
    super(`could not reach ${host} (${reason})`, host, { cause });
    this.name = "SalesforceUnreachableError";
  }
}

/** The answer was longer than any answer to these requests should be, so reading stopped. */
export class SalesforceResponseTooLargeError extends SalesforceTransportError {
  constructor(
    host: string,
    readonly status: number,
    readonly limitBytes: number,
  ) {
    super(`${host} sent more than ${limitBytes} bytes (status ${status})`, host);
    this.name = "SalesforceResponseTooLargeError";
  }
}

export class InvalidInstanceUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidInstanceUrlError";
  }
}

/** An sObject name that could not be put into a path or a SOQL query safely. */
export class InvalidObjectNameError extends Error {
  constructor(readonly objectName: string) {
    super(`not an sObject API name: ${JSON.stringify(objectName.slice(0, 80))}`);
    this.name = "InvalidObjectNameError";
  }
}

/** A call that needs an access token or an API version before either is known. */
export class SalesforceClientStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SalesforceClientStateError";
  }
}
