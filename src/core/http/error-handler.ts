// The one place where an error becomes a response: an HTML page for people, JSON for the
// runtime API. A 500 shows only the request id; the details go to the log under that id.

import type { NextFunction, Request, Response } from "express";
import { AppError, BadRequestError, TooManyRequestsError } from "../errors.ts";

const TITLES: Record<number, string> = {
  400: "That request could not be used",
  401: "Sign in required",
  403: "Not allowed",
  404: "Not found",
  405: "Not allowed",
  409: "Conflict",
  413: "Too large",
  415: "Unsupported request",
  429: "Too many attempts",
  500: "Something went wrong",
};

/** Messages for errors raised outside our code (body parsing, express itself). */
const GENERIC: Record<number, string> = {
  400: "The request was malformed. Go back, check the form and try again.",
  413: "The request is larger than the console accepts.",
  415: "The console does not accept that kind of request body.",
  500: "The console could not complete this request. Nothing you entered was shown or logged.",
};

function wantsJson(req: Request): boolean {
  return req.path.startsWith("/runtime/") || req.accepts(["html", "json"]) === "json";
}

export function notFound(_req: Request, _res: Response, next: NextFunction) {
  next(new AppError(404, "There is nothing at this address."));
}

export function errorHandler(error: unknown, req: Request, res: Response, next: NextFunction) {
  if (res.headersSent) {
    next(error);
    return;
  }

  let status = 500;
  let message = GENERIC[500]!;
  if (error instanceof AppError) {
    status = error.status;
    message = error.message;
  } else if (isClientHttpError(error)) {
    status = error.status;
    message = GENERIC[status] ?? GENERIC[400]!;
  }

  if (status >= 500) {
    req.log.error({ err: error }, "request failed");
  }

  if (error instanceof TooManyRequestsError) {
    res.setHeader("Retry-After", String(error.retryAfterSeconds));
  }

  res.status(status);
  if (wantsJson(req)) {
    res.json({ error: message, requestId: req.id });
    return;
  }

  res.render("errors/error", {
    title: TITLES[status] ?? TITLES[500],
    status,
    message,
    fields: error instanceof BadRequestError ? error.fields : {},
    requestId: req.id,
  });
}

/** Errors from express and body-parser carry a 4xx status meant for the client. */
function isClientHttpError(error: unknown): error is { status: number } {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" && status >= 400 && status < 500;
}
