// Turning the :env and :name parts of a secrets URL into an environment and a valid name, so
// every handler starts from checked values and a wrong one answers 404 the same way.

import type { Request } from "express";
import type { ApplicationContext, EnvironmentSummary } from "../applications/access.ts";
import type { Actor } from "../audit/record.ts";
import { NotFoundError } from "../core/errors.ts";
import type { Place } from "./changes.ts";
import { SECRET_NAME_MAX_LENGTH, SECRET_NAME_PATTERN } from "./names.ts";

export function environmentBySlug(context: ApplicationContext, slug: string): EnvironmentSummary {
  const environment = context.environments.find((candidate) => candidate.slug === slug);
  if (!environment) {
    throw new NotFoundError(`${context.application.name} has no environment "${slug}".`);
  }
  return environment;
}

export function placeOf(context: ApplicationContext, environment: EnvironmentSummary): Place {
  return { application: context.application, environment };
}

/** The environment named by :env, and the place it makes with the application. */
export function routePlace(req: Request, context: ApplicationContext) {
  const environment = environmentBySlug(context, String(req.params.env));
  return { environment, place: placeOf(context, environment) };
}

/** The secret name in :name; only a well-formed name can exist. */
export function routeSecretName(req: Request): string {
  const name = String(req.params.name);
  if (name.length > SECRET_NAME_MAX_LENGTH || !SECRET_NAME_PATTERN.test(name)) {
    throw new NotFoundError(`There is no secret called "${name.slice(0, 40)}".`);
  }
  return name;
}

export function actorOf(context: ApplicationContext): Actor {
  return { id: context.user.id, name: context.user.name };
}

/** A version number from a form, or null when it is not a positive whole number. */
export function versionField(input: string): number | null {
  return /^[1-9]\d{0,8}$/.test(input) ? Number(input) : null;
}

export function secretsPath(context: ApplicationContext, environment?: EnvironmentSummary) {
  const base = `/apps/${context.application.slug}/configuration/secrets`;
  return environment ? `${base}?environment=${encodeURIComponent(environment.slug)}` : base;
}

export function secretPath(
  context: ApplicationContext,
  environment: EnvironmentSummary,
  name?: string,
) {
  const base = `/apps/${context.application.slug}/configuration/secrets/${environment.slug}`;
  return name ? `${base}/${name}` : base;
}
