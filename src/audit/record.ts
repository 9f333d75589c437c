// Writes an audit event. Callers pass their transaction, so the event commits or rolls back
// with the change it describes. Events name what changed and who did it, never a value.

import type { DbOrTx } from "../core/db/client.ts";
import { auditEvents } from "./tables.ts";

export interface Actor {
  /** Null for the console itself (a scheduled purge) or a runtime token. */
  id: string | null;
  /** Shown in the log: a person's name and email, or a runtime token's label. */
  name: string;
}

export interface AuditEvent {
  applicationId: string | null;
  action: string;
  environment?: { id: string; name: string } | null;
  secretName?: string | null;
  version?: number | null;
  detail?: Record<string, string | number | boolean | null>;
}

export async function recordAudit(tx: DbOrTx, actor: Actor, event: AuditEvent): Promise<void> {
  await tx.insert(auditEvents).values({
    applicationId: event.applicationId,
    actorId: actor.id,
    actorName: actor.name,
    action: event.action,
    environmentId: event.environment?.id ?? null,
    environmentName: event.environment?.name ?? null,
    secretName: event.secretName ?? null,
    version: event.version ?? null,
    detail: event.detail ?? null,
  });
}
