// Turns an audit event into a sentence for the audit log page. Unknown actions still read,
// as their raw name, so an event written by newer code never disappears from the log.

type Detail = Record<string, string | number | boolean | null> | null;

export interface DescribedEvent {
  action: string;
  secretName: string | null;
  version: number | null;
  detail: Detail;
}

const text = (value: unknown) => (value === null || value === undefined ? "" : String(value));

const SENTENCES: Record<string, (event: DescribedEvent) => string> = {
  "secret.added": (e) => `added ${e.secretName} (version ${e.version})`,
  "secret.updated": (e) => `saved a new value of ${e.secretName} (version ${e.version})`,
  "secret.rolled_back": (e) =>
    `rolled ${e.secretName} back to the value of version ${text(e.detail?.fromVersion)} ` +
    `(version ${e.version})`,
  "secret.imported": (e) => `imported ${e.secretName} from a .env file (version ${e.version})`,
  "secret.copied": (e) =>
    `copied ${e.secretName} from ${text(e.detail?.fromEnvironment)} (version ${e.version})`,
  "secret.deleted": (e) => `deleted ${e.secretName} (at version ${e.version})`,
  "secret.restored": (e) => `restored ${e.secretName} (version ${e.version})`,
  "secret.purged": (e) =>
    `purged ${e.secretName}, deleted more than ${text(e.detail?.afterDays)} days before`,
  "environment.added": () => "added the environment",
  "environment.renamed": (e) => `renamed the environment from ${text(e.detail?.from)}`,
  "environment.removed": (e) => `removed the environment with ${text(e.detail?.secrets)} secret(s)`,
  "application.create": (e) => `created the application ${text(e.detail?.name)}`,
  "application.rename": (e) =>
    `renamed the application from ${text(e.detail?.from)} to ${text(e.detail?.to)}`,
  "member.invite": (e) => `invited ${text(e.detail?.email)} as ${text(e.detail?.role)}`,
  "member.invitation_withdraw": (e) => `withdrew the invitation of ${text(e.detail?.email)}`,
  "member.join": (e) => `${text(e.detail?.member)} joined as ${text(e.detail?.role)}`,
  "member.role": (e) =>
    `changed the role of ${text(e.detail?.member)} from ${text(e.detail?.from)} to ` +
    `${text(e.detail?.to)}`,
  "member.remove": (e) => `removed ${text(e.detail?.member)} (${text(e.detail?.role)})`,
};

export function describeEvent(event: DescribedEvent): string {
  return SENTENCES[event.action]?.(event) ?? event.action;
}

/** Lets a capability that writes its own actions give them sentences too. */
export function registerAuditSentence(
  action: string,
  sentence: (event: DescribedEvent) => string,
): void {
  SENTENCES[action] = sentence;
}
