// Gives every request an id and writes one log line when it ends. The line holds the path
// without its query string: links such as /setup?token=... carry their secret in the query.

import { randomUUID } from "node:crypto";
import type { NextFunction, Request, Response } from "express";
import type { Logger } from "../logger.ts";

declare global {
  namespace Express {
    interface Request {
      id: string;
      log: Logger;
    }
  }
}

/** Ids a proxy may pass in X-Request-Id; anything else is replaced, never echoed. */
const INCOMING_ID = /^[A-Za-z0-9._-]{8,64}$/;

export function requestLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const incoming = req.get("x-request-id");
    req.id = incoming && INCOMING_ID.test(incoming) ? incoming : randomUUID();
    req.log = logger.child({ reqId: req.id });
    res.setHeader("X-Request-Id", req.id);
    res.locals.requestId = req.id;

    const started = process.hrtime.bigint();
    let logged = false;
    const done = () => {
      if (logged) return;
      logged = true;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      req.log.info(
        {
          method: req.method,
          path: req.originalUrl.split("?")[0],
          status: res.headersSent ? res.statusCode : 499,
          ms: Math.round(ms * 10) / 10,
          userId: res.locals.userId,
        },
        "request",
      );
    };
    res.on("finish", done);
    res.on("close", done);
    next();
  };
}
