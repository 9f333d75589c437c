// Rules for SALESFORCE_INSTANCE_URL: the org's My Domain origin over https, nothing else. Each
// common mistake gets its own message and, where the right URL can be worked out, a suggestion.

export interface InstanceUrlOptions {
  /** Accept http://127.0.0.1:PORT and http://localhost:PORT, for tests against a local fake. */
  allowInsecureLoopback?: boolean;
}

export type OrgKind =
  | "production"
  | "sandbox"
  | "developer-edition"
  | "demo"
  | "patch"
  | "scratch"
  | "trailblaze"
  | "government"
  | "loopback";

export type InstanceUrlProblem =
  | "empty"
  | "surrounding-whitespace"
  | "missing-scheme"
  | "not-a-url"
  | "insecure-http"
  | "credentials-in-url"
  | "path"
  | "port"
  | "loopback-refused"
  | "lightning-host"
  | "setup-host"
  | "login-host"
  | "legacy-instance-host"
  | "sandbox-name"
  | "other-salesforce-host"
  | "not-salesforce";

export type InstanceUrlVerdict =
  | { ok: true; url: string; host: string; orgKind: OrgKind }
  | {
      ok: false;
      /** The first and most telling problem; `message` also covers any others. */
      problem: InstanceUrlProblem;
      message: string;
      /** A corrected URL, when one can be worked out from what was entered. */
      suggestedUrl?: string;
    };

const PARTITIONS = ["sandbox", "develop", "demo", "patch", "scratch", "trailblaze"] as const;
type Partition = (typeof PARTITIONS)[number];

const PARTITION_KIND: Record<Partition, OrgKind> = {
  sandbox: "sandbox",
  develop: "developer-edition",
  demo: "demo",
  patch: "patch",
  scratch: "scratch",
  trailblaze: "trailblaze",
};

// A DNS label as My Domain names use them: letters, digits and inner hyphens.
const LABEL = "[a-z0-9](?:[a-z0-9-]*[a-z0-9])?";
const PARTITION = `(?:\\.(${PARTITIONS.join("|")}))?`;
const MY_DOMAIN = new RegExp(`^(${LABEL})${PARTITION}\\.my\\.salesforce\\.(com|mil)$`);
const LIGHTNING = new RegExp(`^(${LABEL})${PARTITION}\\.lightning\\.(force\\.com|crmforce\\.mil)$`);
const SETUP = new RegExp(`^(${LABEL})${PARTITION}\\.my\\.salesforce-setup\\.(com|mil)$`);
const LOGIN_HOSTS = new Set(["login.salesforce.com", "test.salesforce.com"]);
const LEGACY_INSTANCE = /^(?:na|eu|ap|cs|um|gs|usa)\d+\.salesforce\.com$/;
const OTHER_SALESFORCE = [
  "salesforce.com",
  "force.com",
  "site.com",
  "visualforce.com",
  "salesforce-sites.com",
  "salesforce-setup.com",
  "salesforce.mil",
  "crmforce.mil",
];
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

const EXAMPLE = "https://yourcompany.my.salesforce.com";
const FIND_IT = "Copy the org's My Domain URL from Setup > My Domain (Current My Domain URL)";

/** Checks an instance URL and says what is wrong with it, with a corrected URL when possible. */
export function validateInstanceUrl(
  raw: string,
  options: InstanceUrlOptions = {},
): InstanceUrlVerdict {
  const trimmed = raw.trim();
  if (trimmed === "") {
    return refuse("empty", `The instance URL is empty. ${FIND_IT}, e.g. ${EXAMPLE}.`);
  }

  const parsed = parse(trimmed);
  if (!parsed.ok) return parsed.verdict;
  const url = parsed.url;

  const host = url.hostname.replace(/\.$/, "");
  const loopback = LOOPBACK_HOSTS.has(host);
  const hostRule = loopback ? loopbackRule(options) : salesforceHostRule(host);
  const notes = extraNotes(url, trimmed !== raw, loopback);
  const fixedHost = hostRule.fixedHost ?? host;
  const port = loopback && url.port ? `:${url.port}` : "";
  const scheme = loopback ? url.protocol : "https:";
  const suggestion = hostRule.unknownOrg ? undefined : `${scheme}//${fixedHost}${port}`;

  if (hostRule.problem) {
    const message = [hostRule.message, ...notes.map((note) => note.message)].join(" ");
    return refuse(hostRule.problem, message, hostRule.fixedHost ? suggestion : undefined);
  }

  const first = notes[0];
  if (first) {
    const message = notes.map((note) => note.message).join(" ");
    return refuse(first.problem, message, suggestion);
  }

  return { ok: true, url: url.origin, host, orgKind: hostRule.orgKind };
}

function refuse(
  problem: InstanceUrlProblem,
  message: string,
  suggestedUrl?: string,
): InstanceUrlVerdict {
  return suggestedUrl
    ? { ok: false, problem, message, suggestedUrl }
    : { ok: false, problem, message };
}

function parse(text: string): { ok: true; url: URL } | { ok: false; verdict: InstanceUrlVerdict } {
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
  if (!hasScheme) {
    // "acme.my.salesforce.com" alone: judge the host as if https:// had been written.
    const guess = URL.canParse(`https://${text}`) ? new URL(`https://${text}`) : null;
    const verdict = guess ? validateInstanceUrl(guess.href) : null;
    if (verdict?.ok) {
      const message = `The instance URL must start with https://, as in ${verdict.url}.`;
      return { ok: false, verdict: refuse("missing-scheme", message, verdict.url) };
    }
    if (verdict && verdict.problem !== "not-a-url") {
      const message = `${verdict.message} The URL must also start with https://.`;
      return { ok: false, verdict: refuse(verdict.problem, message, verdict.suggestedUrl) };
    }
    const message = `The instance URL must start with https://. ${FIND_IT}, e.g. ${EXAMPLE}.`;
    return { ok: false, verdict: refuse("missing-scheme", message) };
  }

  if (!URL.canParse(text)) {
    const message = `The instance URL is not a valid web address. ${FIND_IT}, e.g. ${EXAMPLE}.`;
    return { ok: false, verdict: refuse("not-a-url", message) };
  }

  const url = new URL(text);
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    const scheme = url.protocol.slice(0, -1);
    const message = `The instance URL must be an https:// address, not ${scheme}. ${FIND_IT}.`;
    return { ok: false, verdict: refuse("not-a-url", message) };
  }
  return { ok: true, url };
}

interface HostRule {
  orgKind: OrgKind;
  problem?: InstanceUrlProblem;
  message?: string;
  /** The My Domain host the entered host stands for, when it can be derived. */
  fixedHost?: string;
  /** True when the org's name cannot be derived from what was entered. */
  unknownOrg?: boolean;
}

function loopbackRule(options: InstanceUrlOptions): HostRule {
  if (options.allowInsecureLoopback) return { orgKind: "loopback" };
  return {
    orgKind: "loopback",
    problem: "loopback-refused",
    message:
      "The instance URL points at this machine (a local test server), not at Salesforce. " +
      `${FIND_IT}, e.g. ${EXAMPLE}.`,
    unknownOrg: true,
  };
}

function salesforceHostRule(host: string): HostRule {
  const myDomain = MY_DOMAIN.exec(host);
  if (myDomain) return myDomainRule(host, myDomain[1]!, myDomain[2] as Partition | undefined);

  const lightning = LIGHTNING.exec(host);
  if (lightning) {
    const fixedHost = myDomainHost(lightning[1]!, lightning[2], lightning[3] === "force.com");
    return {
      orgKind: "production",
      problem: "lightning-host",
      message:
        `${host} is the Lightning address people use in a browser; the API and the token ` +
        `request answer on the org's My Domain host, ${fixedHost}. Salesforce redirects ` +
        "requests from the Lightning host, and a redirected token request loses its form body.",
      fixedHost,
    };
  }

  const setup = SETUP.exec(host);
  if (setup) {
    const fixedHost = myDomainHost(setup[1]!, setup[2], setup[3] === "com");
    return {
      orgKind: "production",
      problem: "setup-host",
      message:
        `${host} is the Setup domain, which serves the Setup pages only and refuses token ` +
        `requests. Use the org's My Domain host, ${fixedHost}.`,
      fixedHost,
    };
  }

  if (LOGIN_HOSTS.has(host)) {
    const example = host === "test.salesforce.com" ? "yourcompany--uat.sandbox." : "yourcompany.";
    return {
      orgKind: "production",
      problem: "login-host",
      message:
        `${host} is the shared login page of every org; Salesforce refuses client credentials ` +
        `token requests there. ${FIND_IT}, e.g. https://${example}my.salesforce.com.`,
      unknownOrg: true,
    };
  }

  if (LEGACY_INSTANCE.test(host)) {
    return {
      orgKind: "production",
      problem: "legacy-instance-host",
      message:
        `${host} is a legacy instance host, which Salesforce no longer recommends and which ` +
        `moves when the org is migrated. ${FIND_IT}, e.g. ${EXAMPLE}.`,
      unknownOrg: true,
    };
  }

  const isSalesforce = OTHER_SALESFORCE.some(
    (domain) => host === domain || host.endsWith(`.${domain}`),
  );
  if (isSalesforce) {
    return {
      orgKind: "production",
      problem: "other-salesforce-host",
      message:
        `${host} belongs to Salesforce but is not an org's My Domain host ` +
        `(NAME.my.salesforce.com). ${FIND_IT}.`,
      unknownOrg: true,
    };
  }

  return {
    orgKind: "production",
    problem: "not-salesforce",
    message: `${host} is not a Salesforce address. ${FIND_IT}, e.g. ${EXAMPLE}.`,
    unknownOrg: true,
  };
}

function myDomainRule(host: string, name: string, partition: Partition | undefined): HostRule {
  const government = host.endsWith(".mil");
  const orgKind = partition ? PARTITION_KIND[partition] : government ? "government" : "production";

  // Sandbox hosts always carry the org's name and the sandbox's name: NAME--SANDBOX.
  if (partition === "sandbox" && !/^[a-z0-9-]+--[a-z0-9-]+$/.test(name)) {
    return {
      orgKind,
      problem: "sandbox-name",
      message:
        `${host} lacks the sandbox name: a sandbox's My Domain host reads ` +
        "ORG--SANDBOX.sandbox.my.salesforce.com " +
        "(e.g. yourcompany--uat.sandbox.my.salesforce.com). " +
        "Copy it from Setup > My Domain in the sandbox.",
      unknownOrg: true,
    };
  }
  return { orgKind };
}

function myDomainHost(name: string, partition: string | undefined, commercial: boolean): string {
  const zone = commercial ? "my.salesforce.com" : "my.salesforce.mil";
  return partition ? `${name}.${partition}.${zone}` : `${name}.${zone}`;
}

interface Note {
  problem: InstanceUrlProblem;
  message: string;
}

// Problems beside the host: each is reported, and the suggestion fixes all of them at once.
function extraNotes(url: URL, hadWhitespace: boolean, loopback: boolean): Note[] {
  const notes: Note[] = [];

  if (url.protocol === "http:" && !loopback) {
    notes.push({
      problem: "insecure-http",
      message:
        "The instance URL must use https://, not http://: Salesforce refuses token requests " +
        "over http, and the Consumer Secret must not travel unencrypted.",
    });
  }

  if (url.username || url.password) {
    notes.push({
      problem: "credentials-in-url",
      message: "The instance URL must not contain a user name or password.",
    });
  }

  if (url.port && !loopback) {
    notes.push({
      problem: "port",
      message: `The instance URL must not name a port (:${url.port}).`,
    });
  }

  const extra = `${url.pathname === "/" ? "" : url.pathname}${url.search}${url.hash}`;
  if (extra) {
    notes.push({
      problem: "path",
      message:
        `The instance URL must end at the host name; remove ${shorten(extra)} (it is the ` +
        "address of a page, not of the org).",
    });
  }

  if (hadWhitespace) {
    notes.push({
      problem: "surrounding-whitespace",
      message: "The instance URL has spaces or line breaks around it; save it without them.",
    });
  }
  return notes;
}

function shorten(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
