// Pages of applications: the list of the signed-in person's applications, creating one, an
// application's front door and its Settings. Everything below /apps/:app is declared through
// the application routes (access.ts), with the least role each page or action needs.

import { Router } from "express";
import { field } from "../accounts/forms.ts";
import { currentUser, requireSignIn, setFlash } from "../accounts/http.ts";
import type { PasswordHasher } from "../accounts/passwords.ts";
import type { Config } from "../core/config.ts";
import type { Database } from "../core/db/client.ts";
import { BadRequestError } from "../core/errors.ts";
import { APPLICATION_MOUNT, type ApplicationRoutes } from "./access.ts";
import { createApplication, listApplicationsOf, renameApplication } from "./applications.ts";
import { invitationRoutes, memberRoutes } from "./member-routes.ts";
import { applicationHome } from "./navigation.ts";
import { ROLE_LABELS } from "./roles.ts";

export interface ApplicationPagesDeps {
  config: Config;
  database: Database;
  passwords: PasswordHasher;
  /** The application routes other capabilities add their pages to. */
  routes: ApplicationRoutes;
}

export function applicationPages(deps: ApplicationPagesDeps): Router {
  const { database, routes } = deps;
  const router = Router();

  router.get("/", requireSignIn, async (req, res) => {
    const list = await listApplicationsOf(database, currentUser(req).id);
    res.render("home", { title: "Applications", applications: list, roleLabels: ROLE_LABELS });
  });

  router.get("/apps/new", requireSignIn, (_req, res) => {
    res.render("applications/new", { title: "New application", values: {}, errors: {} });
  });

  router.post("/apps", requireSignIn, async (req, res) => {
    const input = { name: field(req.body, "name"), slug: field(req.body, "slug") };
    try {
      const application = await createApplication(database, currentUser(req), input);
      await setFlash(res, "success", `${application.name} is created with Preview and Production.`);
      // Straight to the page that shows the flash: a redirect through /apps/:app would use it up.
      res.redirect(303, applicationHome(application.slug, "owner"));
    } catch (error) {
      if (!(error instanceof BadRequestError)) throw error;
      res.status(400).render("applications/new", {
        title: "New application",
        values: input,
        errors: error.fields,
      });
    }
  });

  routes.get("/", "viewer", (_req, res, { application, role }) => {
    res.redirect(303, applicationHome(application.slug, role));
  });

  routes.get("/settings", "owner", (_req, res) => {
    res.render("applications/settings", { title: "Settings", values: {}, errors: {} });
  });

  routes.post("/settings", "owner", async (req, res, { application, user }) => {
    const name = field(req.body, "name");
    try {
      await renameApplication(database, user, application, name);
    } catch (error) {
      if (!(error instanceof BadRequestError)) throw error;
      res.status(400).render("applications/settings", {
        title: "Settings",
        values: { name },
        errors: error.fields,
      });
      return;
    }
    await setFlash(res, "success", "The application's name is saved.");
    res.redirect(303, `/apps/${application.slug}/settings`);
  });

  memberRoutes(routes, deps);
  router.use(invitationRoutes(deps));
  router.use(APPLICATION_MOUNT, routes.router);
  return router;
}
