// The one place where access to an application is decided. Every page and action below
// /apps/:app is declared through createApplicationRoutes with the least role it needs; the
// router loads the application by slug and the caller's membership before any handler runs.
// A non-member gets 404, never a hint that the application exists; a member whose role is too
// low gets 403. The registry of declared routes lets the tests try every one of them.

import { and, asc, eq } from "drizzle-orm";
import type { Express, Request, Response } from "express";
import { Router } from "express";
import type { SignedInUser } from "../accounts/sessions.ts";
import type { Database } from "../core/db/client.ts";
import { ForbiddenError, NotFoundError, UnauthorizedError } from "../core/errors.ts";
import { environments } from "../environments/tables.ts";
import { buildNavigation } from "./navigation.ts";
import { type Role, roleAtLeast } from "./roles.ts";
import { applications, memberships } from "./tables.ts";

/** Slugs are lower-case letters, digits and single dashes, 1 to 63 characters. */
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export interface ApplicationSummary {
  id: string;
  slug: string;
  name: string;
}

export interface EnvironmentSummary {
  id: string;
  name: string;
  slug: string;
  position: number;
}

/** What every application handler receives, already checked. */
export interface ApplicationContext {
  application: ApplicationSummary;
  role: Role;
  user: SignedInUser;
  /** The application's environments in their display order. */
  environments: EnvironmentSummary[];
}

export type ApplicationHandler = (
  req: Request,
  res: Response,
  context: ApplicationContext,
) => unknown;

export interface ApplicationRoute {
  method: "GET" | "POST";
  /** Express path below /apps/:app, such as "/configuration/members/:userId/role". */
  path: string;
  role: Role;
}

export interface ApplicationRoutes {
  /** Mounted by the app at APPLICATION_MOUNT. */
  readonly router: Router;
  /** Every route declared so far, in declaration order. */
  readonly registry: readonly ApplicationRoute[];
  get(path: string, role: Role, handler: ApplicationHandler): void;
  post(path: string, role: Role, handler: ApplicationHandler): void;
}

export const APPLICATION_MOUNT = "/apps/:app";

const REGISTRY_KEY = "applicationRoutes";

export function createApplicationRoutes(database: Database): ApplicationRoutes {
  const router = Router({ mergeParams: true });
  const registry: ApplicationRoute[] = [];

  const declare = (method: ApplicationRoute["method"]) => {
    return (path: string, role: Role, handler: ApplicationHandler) => {
      if (registry.some((route) => route.method === method && route.path === path)) {
        throw new Error(`${method} ${path} is declared twice`);
      }
      registry.push({ method, path, role });

      const add = method === "GET" ? router.get.bind(router) : router.post.bind(router);
      add(path, async (req: Request, res: Response) => {
        const context = await authorize(database, req, res, role);
        if (context) await handler(req, res, context);
      });
    };
  };

  return { router, registry, get: declare("GET"), post: declare("POST") };
}

/** Makes the registry findable from the express app, for the tests that walk every route. */
export function exposeApplicationRoutes(app: Express, routes: ApplicationRoutes): void {
  app.locals[REGISTRY_KEY] = routes;
}

export function registeredApplicationRoutes(app: Express): readonly ApplicationRoute[] {
  return applicationRoutesOf(app)?.registry ?? [];
}

export function applicationRoutesOf(app: Express): ApplicationRoutes | undefined {
  return app.locals[REGISTRY_KEY] as ApplicationRoutes | undefined;
}

/** The checked context, or null once a visitor without a session was sent to sign in. */
async function authorize(
  database: Database,
  req: Request,
  res: Response,
  minimum: Role,
): Promise<ApplicationContext | null> {
  const user = req.signedIn?.user;
  if (!user) {
    if (req.method !== "GET") throw new UnauthorizedError();
    res.redirect(303, `/sign-in?next=${encodeURIComponent(req.originalUrl)}`);
    return null;
  }

  const slug = String(req.params.app ?? "");
  if (!SLUG_PATTERN.test(slug)) throw new NotFoundError();

  const [found] = await database.db
    .select({
      id: applications.id,
      slug: applications.slug,
      name: applications.name,
      role: memberships.role,
    })
    .from(applications)
    .innerJoin(
      memberships,
      and(eq(memberships.applicationId, applications.id), eq(memberships.userId, user.id)),
    )
    .where(eq(applications.slug, slug));
  if (!found) throw new NotFoundError();

  const { role, ...application } = found;
  if (!roleAtLeast(role, minimum)) {
    throw new ForbiddenError(
      `Only ${minimum === "owner" ? "owners" : "editors and owners"} of ${application.name} ` +
        "can do this.",
    );
  }

  const list = await database.db
    .select({
      id: environments.id,
      name: environments.name,
      slug: environments.slug,
      position: environments.position,
    })
    .from(environments)
    .where(eq(environments.applicationId, application.id))
    .orderBy(asc(environments.position), asc(environments.name));

  const below = req.path === "/" ? "" : req.path.replace(/\/+$/, "");
  res.locals.application = application;
  res.locals.role = role;
  res.locals.environments = list;
  res.locals.navigation = buildNavigation(application.slug, role, below);
  return { application, role, user, environments: list };
}
