// The three roles of a membership and how they compare: an owner may do all an editor may,
// an editor all a viewer may.

import { ROLES, type Role } from "./tables.ts";

export { ROLES, type Role };

export const ROLE_RANK: Record<Role, number> = { viewer: 1, editor: 2, owner: 3 };

export const ROLE_LABELS: Record<Role, string> = {
  owner: "Owner",
  editor: "Editor",
  viewer: "Viewer",
};

export function roleAtLeast(role: Role, minimum: Role): boolean {
  return ROLE_RANK[role] >= ROLE_RANK[minimum];
}

/** A role named in a form, or null for anything else. */
export function parseRole(input: string): Role | null {
  return (ROLES as readonly string[]).includes(input) ? (input as Role) : null;
}
