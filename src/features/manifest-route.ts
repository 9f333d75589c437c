// PUT /runtime/v1/features: the application's code declares the features of its environment
// (the runtime token's) in one manifest, which replaces the one it sent before.

import express, { type Request, Router } from "express";
import type { Database } from "../core/db/client.ts";
import type { RuntimeAccess } from "../runtime/api.ts";
import type { RuntimeTokenRecord } from "../runtime/authenticate.ts";
import { parseManifest, replaceRuntimeFeatures } from "./features.ts";

declare global {
  namespace Express {
    interface Request {
      runtimeToken?: RuntimeTokenRecord;
    }
  }
}

export function featureManifestRoute(runtime: RuntimeAccess, database: Database): Router {
  const router = Router();

  router.put(
    "/v1/features",
    // The token first: an unauthenticated body is never parsed.
    async (req: Request, res, next) => {
      req.runtimeToken = await runtime.authorize(req, res);
      next();
    },
    express.json({ limit: "256kb", type: () => true }),
    async (req, res) => {
      const token = req.runtimeToken!;
      const manifest = parseManifest(req.body);
      const environment = {
        id: token.environmentId,
        name: token.environmentName,
        applicationId: token.applicationId,
      };
      await replaceRuntimeFeatures(
        database,
        { id: null, name: `Runtime token “${token.label}”` },
        environment,
        manifest,
      );
      res.setHeader("Cache-Control", "no-store");
      res.json({ environment: token.environmentName, features: manifest.map((f) => f.key) });
    },
  );

  return router;
}
