// Small builders of accounts and applications for tests. Users share one password whose hash
// is computed once per test file (argon2id costs about 0.2 s), so no test hashes on its own.

import { randomBytes } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { createPasswordHasher } from "../../src/accounts/passwords.ts";
import { insertUser } from "../../src/accounts/users.ts";
import type { ApplicationSummary, EnvironmentSummary } from "../../src/applications/access.ts";
import * as applicationRecords from "../../src/applications/applications.ts";
import type { Role } from "../../src/applications/roles.ts";
import { memberships } from "../../src/applications/tables.ts";
import type { Database } from "../../src/core/db/client.ts";
import { environments } from "../../src/environments/tables.ts";

/** The password of every user a factory makes. */
export const FACTORY_PASSWORD = "factory password 0123456789";

let factoryHash: Promise<string> | undefined;

/** The hash of FACTORY_PASSWORD at the console's real limits, computed once per file. */
export function factoryPasswordHash(): Promise<string> {
  factoryHash ??= createPasswordHasher().hash(FACTORY_PASSWORD);
  return factoryHash;
}

export interface TestUser {
  id: string;
  email: string;
  name: string;
  password: string;
}

export interface TestApplication extends ApplicationSummary {
  environments: EnvironmentSummary[];
}

/** A unique suffix, so data from one test never collides with another's. */
export function unique(): string {
  return randomBytes(4).toString("hex");
}

export async function createUser(
  database: Database,
  overrides: { email?: string; name?: string; passwordHash?: string } = {},
): Promise<TestUser> {
  const suffix = unique();
  const row = await insertUser(database.db, {
    email: overrides.email ?? `person-${suffix}@example.test`,
    name: overrides.name ?? `Person ${suffix}`,
    passwordHash: overrides.passwordHash ?? (await factoryPasswordHash()),
  });
  return { id: row.id, email: row.email, name: row.name, password: FACTORY_PASSWORD };
}

/** An application made the way the console makes one: environments, owner, audit event. */
export async function createApplication(
  database: Database,
  owner: TestUser,
  overrides: { name?: string; slug?: string } = {},
): Promise<TestApplication> {
  const suffix = unique();
  const application = await applicationRecords.createApplication(database, owner, {
    name: overrides.name ?? `Application ${suffix}`,
    slug: overrides.slug ?? `app-${suffix}`,
  });
  const list = await database.db
    .select({
      id: environments.id,
      name: environments.name,
      slug: environments.slug,
      position: environments.position,
    })
    .from(environments)
    .where(eq(environments.applicationId, application.id))
    .orderBy(asc(environments.position));
  return { ...application, environments: list };
}

export async function addMember(
  database: Database,
  application: { id: string },
  user: { id: string },
  role: Role,
): Promise<void> {
  await database.db
    .insert(memberships)
    .values({ applicationId: application.id, userId: user.id, role });
}

export interface TestTeam {
  application: TestApplication;
  owner: TestUser;
  editor: TestUser;
  viewer: TestUser;
}

/** An application with one member of each role. */
export async function createTeam(database: Database): Promise<TestTeam> {
  const owner = await createUser(database);
  const editor = await createUser(database);
  const viewer = await createUser(database);
  const application = await createApplication(database, owner);
  await addMember(database, application, editor, "editor");
  await addMember(database, application, viewer, "viewer");
  return { application, owner, editor, viewer };
}
