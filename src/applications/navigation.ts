// The navigation of an application's pages, in one list each: the top bar's sections and the
// Configuration tabs. A new page becomes reachable by adding one line here.

import { type Role, roleAtLeast } from "./roles.ts";

export interface NavigationItem {
  label: string;
  /** Path below /apps/:app; also what a current page's path starts with. */
  path: string;
  /** The least role that sees the link; the route itself checks again. */
  role: Role;
}

export interface NavigationLink {
  label: string;
  href: string;
  current: boolean;
}

export interface Navigation {
  sections: NavigationLink[];
  /** The Configuration tabs, shown while a Configuration page is open. */
  tabs: NavigationLink[] | null;
}

/** Sections of the top bar. Configuration links to its first tab. */
export const SECTIONS: NavigationItem[] = [
  { label: "Configuration", path: "/configuration", role: "viewer" },
  { label: "Integrations", path: "/integrations/salesforce", role: "viewer" },
  { label: "Audit log", path: "/audit", role: "viewer" },
  { label: "Settings", path: "/settings", role: "owner" },
];

/** Tabs of Configuration, in the order of the product: Secrets, Environments, Members, ... */
export const CONFIGURATION_TABS: NavigationItem[] = [
  { label: "Secrets", path: "/configuration/secrets", role: "viewer" },
  { label: "Environments", path: "/configuration/environments", role: "viewer" },
  { label: "Runtime access", path: "/configuration/runtime", role: "viewer" },
  { label: "Members", path: "/configuration/members", role: "viewer" },
  { label: "Features", path: "/configuration/features", role: "viewer" },
];

function visible(items: NavigationItem[], role: Role): NavigationItem[] {
  return items.filter((item) => roleAtLeast(role, item.role));
}

function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

/** Where /apps/:app leads: the first Configuration tab this role sees. */
export function applicationHome(slug: string, role: Role): string {
  const first = visible(CONFIGURATION_TABS, role)[0];
  return `/apps/${slug}${first?.path ?? "/configuration"}`;
}

/** The links for one page; `path` is the request's path below /apps/:app. */
export function buildNavigation(slug: string, role: Role, path: string): Navigation {
  const base = `/apps/${slug}`;
  const tabs = visible(CONFIGURATION_TABS, role).map((tab) => ({
    label: tab.label,
    href: `${base}${tab.path}`,
    current: isUnder(path, tab.path),
  }));

  const sections = visible(SECTIONS, role).map((section) => ({
    label: section.label,
    href:
      section.path === "/configuration" ? applicationHome(slug, role) : `${base}${section.path}`,
    current: isUnder(path, section.path),
  }));

  return { sections, tabs: isUnder(path, "/configuration") ? tabs : null };
}
