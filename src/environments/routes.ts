// The Environments tab: the application's environments with what each holds; owners add,
// rename and remove them (removal goes through a page that says what will go with it).

import { field } from "../accounts/forms.ts";
import { setFlash } from "../accounts/http.ts";
import type { ApplicationContext, ApplicationRoutes } from "../applications/access.ts";
import type { Database } from "../core/db/client.ts";
import { BadRequestError } from "../core/errors.ts";
import { actorOf, environmentBySlug } from "../secrets/place.ts";
import {
  addEnvironment,
  environmentNameProblem,
  environmentUsage,
  removeEnvironment,
  renameEnvironment,
} from "./environments.ts";

export function environmentRoutes(routes: ApplicationRoutes, database: Database): void {
  const tab = (context: ApplicationContext) =>
    `/apps/${context.application.slug}/configuration/environments`;

  routes.get("/configuration/environments", "viewer", async (_req, res, context) => {
    const usage = await Promise.all(
      context.environments.map((environment) => environmentUsage(database, environment.id)),
    );
    res.render("environments/index", {
      title: "Environments",
      rows: context.environments.map((environment, i) => ({ environment, usage: usage[i]! })),
      errors: {},
      values: {},
    });
  });

  routes.post("/configuration/environments", "owner", async (req, res, context) => {
    const name = field(req.body, "name").trim();
    const problem = environmentNameProblem(name);
    if (problem) throw new BadRequestError("Check the environment's name.", { name: problem });

    await addEnvironment(database, actorOf(context), context.application, name);
    await setFlash(res, "success", `Environment ${name} added.`);
    res.redirect(303, tab(context));
  });

  routes.post("/configuration/environments/:env/rename", "owner", async (req, res, context) => {
    const environment = environmentBySlug(context, String(req.params.env));
    const name = field(req.body, "name").trim();
    const problem = environmentNameProblem(name);
    if (problem) throw new BadRequestError("Check the environment's name.", { name: problem });

    await renameEnvironment(database, actorOf(context), context.application, environment, name);
    await setFlash(res, "success", `${environment.name} is now called ${name}.`);
    res.redirect(303, tab(context));
  });

  routes.get("/configuration/environments/:env/remove", "owner", async (req, res, context) => {
    const environment = environmentBySlug(context, String(req.params.env));
    res.render("environments/remove", {
      title: `Remove ${environment.name}`,
      environment,
      usage: await environmentUsage(database, environment.id),
      action: `${tab(context)}/${environment.slug}/remove`,
      cancel: tab(context),
      onlyOne: context.environments.length <= 1,
    });
  });

  routes.post("/configuration/environments/:env/remove", "owner", async (req, res, context) => {
    const environment = environmentBySlug(context, String(req.params.env));
    if (field(req.body, "confirmed") !== "yes") {
      throw new BadRequestError("Confirm the removal on the removal page.");
    }

    const usage = await removeEnvironment(
      database,
      actorOf(context),
      context.application,
      environment,
      context.environments.length,
    );
    await setFlash(
      res,
      "success",
      `${environment.name} removed with its ${usage.secrets} secret` +
        `${usage.secrets === 1 ? "" : "s"}.`,
    );
    res.redirect(303, tab(context));
  });
}
