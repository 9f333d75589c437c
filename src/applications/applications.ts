// Applications: creating one (with its Preview and Production environments and its creator as
// owner), listing a person's applications, renaming. Every change is audited in its transaction.

import { asc, eq } from "drizzle-orm";
import type { SignedInUser } from "../accounts/sessions.ts";
import { actorOf } from "../accounts/users.ts";
import { recordAudit } from "../audit/record.ts";
import type { Database } from "../core/db/client.ts";
import { BadRequestError } from "../core/errors.ts";
import { environments } from "../environments/tables.ts";
import { type ApplicationSummary, SLUG_PATTERN } from "./access.ts";
import type { Role } from "./roles.ts";
import { applications, memberships } from "./tables.ts";

/** Every application starts with these, in this order. */
export const STARTING_ENVIRONMENTS = [
  { name: "Preview", slug: "preview", position: 0 },
  { name: "Production", slug: "production", position: 1 },
] as const;

/** Slugs that name a page of the console rather than an application. */
const RESERVED_SLUGS = new Set(["new"]);

export const NAME_MAX_LENGTH = 80;

export interface ApplicationInput {
  name: string;
  /** Empty: derived from the name. */
  slug: string;
}

/** "Acme Sales Sync!" becomes "acme-sales-sync": what a slug field offers by default. */
export function slugFromName(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63)
    .replace(/-+$/, "");
}

export function applicationNameProblem(name: string): string | null {
  if (name === "") return "Enter a name for the application.";
  if (name.length > NAME_MAX_LENGTH) return `Use at most ${NAME_MAX_LENGTH} characters.`;
  return null;
}

export function slugProblem(slug: string): string | null {
  if (slug === "") return "Enter an address made of letters or digits.";
  if (!SLUG_PATTERN.test(slug)) {
    return (
      "Use 1 to 63 lower-case letters, digits and dashes, starting and ending with a " +
      "letter or digit."
    );
  }
  if (RESERVED_SLUGS.has(slug)) return `"${slug}" is reserved; choose another address.`;
  return null;
}

/** The name and slug a form asked for, trimmed, with the slug derived when left empty. */
export function readApplicationInput(input: ApplicationInput): {
  values: ApplicationInput;
  errors: Record<string, string>;
} {
  const name = input.name.trim();
  const slug = input.slug.trim().toLowerCase() || slugFromName(name);
  const errors: Record<string, string> = {};

  const nameError = applicationNameProblem(name);
  if (nameError) errors.name = nameError;
  const slugError = name === "" && input.slug.trim() === "" ? null : slugProblem(slug);
  if (slugError) errors.slug = slugError;
  return { values: { name, slug }, errors };
}

export async function createApplication(
  database: Database,
  creator: SignedInUser,
  input: ApplicationInput,
): Promise<ApplicationSummary> {
  const { values, errors } = readApplicationInput(input);
  if (Object.keys(errors).length > 0) {
    throw new BadRequestError("Check the highlighted fields.", errors);
  }

  try {
    return await database.db.transaction(async (tx) => {
      const [created] = await tx
        .insert(applications)
        .values({ name: values.name, slug: values.slug, createdBy: creator.id })
        .returning({ id: applications.id, slug: applications.slug, name: applications.name });
      const application = created!;

      await tx
        .insert(environments)
        .values(STARTING_ENVIRONMENTS.map((env) => ({ ...env, applicationId: application.id })));
      await tx
        .insert(memberships)
        .values({ applicationId: application.id, userId: creator.id, role: "owner" });
      await recordAudit(tx, actorOf(creator), {
        applicationId: application.id,
        action: "application.create",
        detail: { name: application.name, slug: application.slug },
      });
      return application;
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    throw new BadRequestError("Check the highlighted fields.", {
      slug: `The address ${values.slug} is taken; choose another.`,
    });
  }
}

export interface ListedApplication {
  slug: string;
  name: string;
  role: Role;
}

export async function listApplicationsOf(
  database: Database,
  userId: string,
): Promise<ListedApplication[]> {
  return database.db
    .select({ slug: applications.slug, name: applications.name, role: memberships.role })
    .from(memberships)
    .innerJoin(applications, eq(applications.id, memberships.applicationId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(applications.name), asc(applications.slug));
}

export async function renameApplication(
  database: Database,
  actor: SignedInUser,
  application: ApplicationSummary,
  newName: string,
): Promise<void> {
  const name = newName.trim();
  const problem = applicationNameProblem(name);
  if (problem) throw new BadRequestError("Check the highlighted fields.", { name: problem });
  if (name === application.name) return;

  await database.db.transaction(async (tx) => {
    await tx.update(applications).set({ name }).where(eq(applications.id, application.id));
    await recordAudit(tx, actorOf(actor), {
      applicationId: application.id,
      action: "application.rename",
      detail: { from: application.name, to: name },
    });
  });
}

/** PostgreSQL's unique_violation, whether the driver's error or drizzle's wrapper arrives. */
export function isUniqueViolation(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    if ((current as { code?: unknown }).code === "23505") return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
