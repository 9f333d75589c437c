// The Runtime access tab: every member sees the application's runtime tokens and what reads its
// secrets; owners create a token (shown once, with how to use it) and revoke one.

import { and, desc, gte, inArray, sql } from "drizzle-orm";
import type { Response } from "express";
import { field } from "../accounts/forms.ts";
import { setFlash } from "../accounts/http.ts";
import { actorOf } from "../accounts/users.ts";
import type { ApplicationContext, ApplicationRoutes } from "../applications/access.ts";
import type { Config } from "../core/config.ts";
import type { Database, DbOrTx } from "../core/db/client.ts";
import { BadRequestError } from "../core/errors.ts";
import { listSecrets } from "../secrets/queries.ts";
import type { RuntimeAccess } from "./api.ts";
import { clientSnippet, runSnippet, TOKEN_VARIABLE } from "./snippets.ts";
import { secretReads } from "./tables.ts";
import {
  type CreatedRuntimeToken,
  createRuntimeToken,
  LABEL_MAX_LENGTH,
  listRuntimeTokens,
  revokeRuntimeToken,
} from "./tokens.ts";

export interface RuntimeRouteDeps {
  config: Config;
  database: Database;
  runtime: RuntimeAccess;
}

/** The reads the tab shows: the last 30 days, as the secret_reads rows are per day. */
export const READS_DAYS = 30;
const READS_SHOWN = 200;

interface RuntimeView {
  status?: number;
  values?: Record<string, string>;
  errors?: Record<string, string>;
  /** The token just made: shown on this response and never again. */
  created?: CreatedRuntimeToken;
}

export function runtimeTokenRoutes(routes: ApplicationRoutes, deps: RuntimeRouteDeps): void {
  const { config, database, runtime } = deps;
  const base = (context: ApplicationContext) =>
    `/apps/${context.application.slug}/configuration/runtime`;

  async function render(res: Response, context: ApplicationContext, view: RuntimeView = {}) {
    const [tokens, reads] = await Promise.all([
      listRuntimeTokens(database.db, context.application.id),
      listReads(database.db, context),
    ]);
    res.status(view.status ?? 200).render("runtime/index", {
      title: "Runtime access",
      tokens,
      reads,
      readsDays: READS_DAYS,
      labelMaxLength: LABEL_MAX_LENGTH,
      values: view.values ?? {},
      errors: view.errors ?? {},
      created: view.created
        ? await describeCreated(database.db, config, context, view.created)
        : null,
    });
  }

  routes.get("/configuration/runtime", "viewer", (_req, res, context) => render(res, context));

  routes.post("/configuration/runtime/tokens", "owner", async (req, res, context) => {
    const values = { label: field(req.body, "label"), environment: field(req.body, "environment") };
    const environment = context.environments.find((env) => env.slug === values.environment);
    try {
      const created = await createRuntimeToken(
        database.db,
        actorOf(context.user),
        context.application,
        environment,
        values.label,
      );
      await render(res, context, { status: 201, created });
    } catch (error) {
      if (!(error instanceof BadRequestError)) throw error;
      await render(res, context, { status: 400, values, errors: error.fields });
    }
  });

  routes.post(
    "/configuration/runtime/tokens/:tokenId/revoke",
    "owner",
    async (req, res, context) => {
      const tokenId = String(req.params.tokenId);
      const revoked = await revokeRuntimeToken(
        database.db,
        actorOf(context.user),
        context.application,
        tokenId,
      );
      runtime.forgetToken(tokenId);
      await setFlash(
        res,
        "success",
        revoked.changed
          ? `The runtime token ${revoked.label} is revoked; requests with it are refused.`
          : `The runtime token ${revoked.label} was already revoked.`,
      );
      res.redirect(303, base(context));
    },
  );
}

/** The new token with the snippets that show how to use it. */
async function describeCreated(
  db: DbOrTx,
  config: Config,
  context: ApplicationContext,
  created: CreatedRuntimeToken,
) {
  const [first] = await listSecrets(db, created.environment.id);
  const place = {
    url: config.publicUrl,
    applicationName: context.application.name,
    environmentName: created.environment.name,
    exampleName: first?.name,
  };
  return {
    ...created,
    variable: TOKEN_VARIABLE,
    clientSnippet: clientSnippet(place),
    runSnippet: runSnippet(place),
  };
}

export interface ListedReads {
  environmentName: string;
  secretName: string;
  featureKey: string;
  reads: number;
  lastReadAt: Date;
}

/** Reads per environment, secret and feature over the last READS_DAYS days, latest first. */
async function listReads(db: DbOrTx, context: ApplicationContext): Promise<ListedReads[]> {
  const ids = context.environments.map((environment) => environment.id);
  if (ids.length === 0) return [];
  const names = new Map(context.environments.map((env) => [env.id, env.name]));
  const since = new Date(Date.now() - (READS_DAYS - 1) * 86_400_000).toISOString().slice(0, 10);

  const lastReadAt = sql<Date>`max(${secretReads.lastReadAt})`.mapWith((value) => new Date(value));
  const rows = await db
    .select({
      environmentId: secretReads.environmentId,
      secretName: secretReads.secretName,
      featureKey: secretReads.featureKey,
      reads: sql<number>`sum(${secretReads.reads})`.mapWith(Number),
      lastReadAt,
    })
    .from(secretReads)
    .where(and(inArray(secretReads.environmentId, ids), gte(secretReads.day, since)))
    .groupBy(secretReads.environmentId, secretReads.secretName, secretReads.featureKey)
    .orderBy(desc(lastReadAt))
    .limit(READS_SHOWN);
  return rows.map(({ environmentId, ...row }) => ({
    ...row,
    environmentName: names.get(environmentId) ?? "",
  }));
}
