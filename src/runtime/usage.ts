// What the runtime API remembers about its use: reads per secret, feature and day, when each
// runtime token was last used, and the audit of that use. Requests only add to counters in
// memory; flush() writes them in one transaction every few seconds and when the server stops.
//
// Audit of use: a read changes nothing, so instead of one event per request the log gets one
// "runtime.read" event per token per hour (per console process), written by the flush in the
// same transaction as the read counts it summarises, with the number of requests since the
// previous event. last_used_at moves at most once a minute per token for the same reason.
// Counts of a process that dies without stopping (SIGKILL, a crash) since its last flush are
// lost; a few seconds of counts is the price of keeping writes off the request path.

import { eq, inArray, sql } from "drizzle-orm";
import { recordAudit } from "../audit/record.ts";
import type { Db } from "../core/db/client.ts";
import type { Logger } from "../core/logger.ts";
import { environments } from "../environments/tables.ts";
import type { RuntimeTokenRecord } from "./authenticate.ts";
import { runtimeTokens, secretReads } from "./tables.ts";

export interface UsageOptions {
  now: () => number;
  /** last_used_at of a token is written at most this often. */
  lastUsedEveryMs: number;
  /** A "runtime.read" audit event is written at most this often per token. */
  auditEveryMs: number;
}

interface ReadCount {
  reads: number;
  lastReadAt: number;
}

/** The counts of one environment, feature and day, by secret name. */
interface ReadGroup {
  environmentId: string;
  featureKey: string;
  day: string;
  counts: Map<string, ReadCount>;
}

interface TokenUse {
  token: RuntimeTokenRecord;
  requests: number;
  lastUsedAt: number;
}

/** Read counts kept at most while the database refuses them, so an outage cannot fill memory. */
const MAX_PENDING_COUNTS = 100_000;
const ROWS_PER_INSERT = 500;

export class RuntimeUsage {
  readonly #db: Db;
  readonly #logger: Logger;
  readonly #options: UsageOptions;
  #reads = new Map<string, ReadGroup>();
  #pendingCounts = 0;
  #day = { name: "", endsAt: 0 };
  #uses = new Map<string, TokenUse>();
  /** Requests per token since its last audit event, carried between flushes. */
  readonly #unaudited = new Map<string, number>();
  readonly #lastUsedWritten = new Map<string, number>();
  readonly #lastAudited = new Map<string, number>();
  #flushing: Promise<void> = Promise.resolve();

  constructor(db: Db, logger: Logger, options: UsageOptions) {
    this.#db = db;
    this.#logger = logger;
    this.#options = options;
  }

  /** Counts one request of `token` that read `names` for `feature` ("" when none was named). */
  record(token: RuntimeTokenRecord, feature: string, names: Iterable<string>): void {
    const now = this.#options.now();
    const day = this.#dayOf(now);
    const key = `${token.environmentId}\n${feature}\n${day}`;
    let group = this.#reads.get(key);
    if (!group) {
      group = { environmentId: token.environmentId, featureKey: feature, day, counts: new Map() };
      this.#reads.set(key, group);
    }
    for (const name of names) {
      const count = group.counts.get(name);
      if (count) {
        count.reads += 1;
        count.lastReadAt = now;
      } else if (this.#pendingCounts < MAX_PENDING_COUNTS) {
        group.counts.set(name, { reads: 1, lastReadAt: now });
        this.#pendingCounts += 1;
      }
    }

    const use = this.#uses.get(token.id);
    if (use) {
      use.requests += 1;
      use.lastUsedAt = now;
    } else {
      this.#uses.set(token.id, { token, requests: 1, lastUsedAt: now });
    }
  }

  /**
   * Writes what was counted since the last flush. Flushes run one after the other; a failed one
   * keeps its counts for the next and rejects.
   */
  flush(): Promise<void> {
    const next = this.#flushing.then(() => this.#write());
    this.#flushing = next.catch(() => {});
    return next;
  }

  async #write(): Promise<void> {
    const reads = this.#reads;
    const uses = this.#uses;
    if (reads.size === 0 && uses.size === 0) return;
    this.#reads = new Map();
    this.#pendingCounts = 0;
    this.#uses = new Map();

    const now = this.#options.now();
    for (const [id, use] of uses) {
      this.#unaudited.set(id, (this.#unaudited.get(id) ?? 0) + use.requests);
    }
    const touched = [...uses.values()].filter((use) => {
      const written = this.#lastUsedWritten.get(use.token.id);
      return written === undefined || now - written >= this.#options.lastUsedEveryMs;
    });
    const audited = [...uses.values()].filter((use) => {
      const at = this.#lastAudited.get(use.token.id);
      return at === undefined || now - at >= this.#options.auditEveryMs;
    });

    try {
      await this.#db.transaction(async (tx) => {
        // Rows of an environment or token deleted since the request are dropped, not retried.
        const environmentIds = [
          ...new Set([...reads.values()].map((group) => group.environmentId)),
        ];
        const liveEnvironments = new Set(
          environmentIds.length === 0
            ? []
            : (
                await tx
                  .select({ id: environments.id })
                  .from(environments)
                  .where(inArray(environments.id, environmentIds))
              ).map((row) => row.id),
        );
        const rows = [...reads.values()]
          .filter((group) => liveEnvironments.has(group.environmentId))
          .flatMap(({ environmentId, featureKey, day, counts }) =>
            [...counts].map(([secretName, count]) => ({
              environmentId,
              secretName,
              featureKey,
              day,
              reads: count.reads,
              lastReadAt: new Date(count.lastReadAt),
            })),
          )
          // One order for every console process, so two flushes cannot deadlock on rows.
          .sort((a, b) => compareKeys(a, b));
        for (let first = 0; first < rows.length; first += ROWS_PER_INSERT) {
          await tx
            .insert(secretReads)
            .values(rows.slice(first, first + ROWS_PER_INSERT))
            .onConflictDoUpdate({
              target: [
                secretReads.environmentId,
                secretReads.secretName,
                secretReads.featureKey,
                secretReads.day,
              ],
              set: {
                reads: sql`secret_reads.reads + excluded.reads`,
                lastReadAt: sql`greatest(secret_reads.last_read_at, excluded.last_read_at)`,
              },
            });
        }

        const tokenIds = [...new Set([...touched, ...audited].map((use) => use.token.id))];
        const liveTokens = new Set(
          tokenIds.length === 0
            ? []
            : (
                await tx
                  .select({ id: runtimeTokens.id })
                  .from(runtimeTokens)
                  .where(inArray(runtimeTokens.id, tokenIds))
              ).map((row) => row.id),
        );
        touched.sort((a, b) => (a.token.id < b.token.id ? -1 : 1));
        for (const use of touched) {
          if (!liveTokens.has(use.token.id)) continue;
          const at = iso(use.lastUsedAt);
          await tx
            .update(runtimeTokens)
            .set({ lastUsedAt: sql`greatest(${runtimeTokens.lastUsedAt}, ${at}::timestamptz)` })
            .where(eq(runtimeTokens.id, use.token.id));
        }
        for (const use of audited) {
          if (!liveTokens.has(use.token.id)) continue;
          const { token } = use;
          await recordAudit(
            tx,
            { id: null, name: `Runtime token ${token.label} (${token.hint}…)` },
            {
              applicationId: token.applicationId,
              action: "runtime.read",
              environment: { id: token.environmentId, name: token.environmentName },
              detail: {
                label: token.label,
                hint: token.hint,
                requests: this.#unaudited.get(token.id) ?? 0,
              },
            },
          );
        }
      });
    } catch (error) {
      this.#restore(reads, uses);
      throw error;
    }

    for (const use of touched) this.#lastUsedWritten.set(use.token.id, now);
    for (const use of audited) {
      this.#lastAudited.set(use.token.id, now);
      this.#unaudited.delete(use.token.id);
    }
  }

  // The UTC day of a read, worked out again only when a day ends.
  #dayOf(now: number): string {
    if (now >= this.#day.endsAt || now < this.#day.endsAt - 86_400_000) {
      const start = now - (now % 86_400_000);
      this.#day = { name: new Date(start).toISOString().slice(0, 10), endsAt: start + 86_400_000 };
    }
    return this.#day.name;
  }

  // Puts back what a failed flush took, under what arrived meanwhile.
  #restore(reads: Map<string, ReadGroup>, uses: Map<string, TokenUse>): void {
    for (const [id, use] of uses) {
      this.#unaudited.set(id, Math.max(0, (this.#unaudited.get(id) ?? 0) - use.requests));
    }
    let dropped = false;
    for (const [key, group] of reads) {
      let newer = this.#reads.get(key);
      if (!newer) {
        newer = { ...group, counts: new Map() };
        this.#reads.set(key, newer);
      }
      for (const [name, count] of group.counts) {
        const current = newer.counts.get(name);
        if (current) {
          current.reads += count.reads;
          current.lastReadAt = Math.max(current.lastReadAt, count.lastReadAt);
        } else if (this.#pendingCounts < MAX_PENDING_COUNTS) {
          newer.counts.set(name, count);
          this.#pendingCounts += 1;
        } else {
          dropped = true;
        }
      }
    }
    if (dropped) {
      this.#logger.warn("runtime read counts dropped: the database refused them for too long");
    }
    for (const [id, use] of uses) {
      const newer = this.#uses.get(id);
      if (newer) newer.requests += use.requests;
      else this.#uses.set(id, use);
    }
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

type ReadKey = { environmentId: string; secretName: string; featureKey: string; day: string };

function compareKeys(a: ReadKey, b: ReadKey): number {
  for (const field of ["environmentId", "secretName", "featureKey", "day"] as const) {
    if (a[field] !== b[field]) return a[field] < b[field] ? -1 : 1;
  }
  return 0;
}
