// Turns the Authorization header of a runtime request into the runtime token it names, or a 401.
// Lookups are cached briefly in memory so a busy runtime does not cost a query per request.
//
// Timing: the token itself is only ever hashed; the database finds the row through the unique
// index on the hash, and the hash found is compared again with timingSafeEqual. What a timing
// difference could reveal is a prefix of a SHA-256 hash, which does not help anyone find a token.

import { timingSafeEqual } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { applications } from "../applications/tables.ts";
import type { Db } from "../core/db/client.ts";
import { UnauthorizedError } from "../core/errors.ts";
import { environments } from "../environments/tables.ts";
import { runtimeTokens } from "./tables.ts";
import { hashRuntimeToken, RUNTIME_TOKEN_PATTERN } from "./tokens.ts";

/** A live runtime token and the one environment it reads. */
export interface RuntimeTokenRecord {
  id: string;
  label: string;
  hint: string;
  applicationId: string;
  applicationSlug: string;
  environmentId: string;
  environmentName: string;
  environmentSlug: string;
}

/** A 401 for the runtime API; its message never repeats what the caller sent. */
export class RuntimeTokenRefusedError extends UnauthorizedError {}

export interface TokenCacheOptions {
  /**
   * How long a lookup (found, revoked or unknown) is reused. A revocation made through another
   * console process takes effect within this time; in this process it takes effect at once.
   */
  cacheMs: number;
  /** Entries kept at most; unknown tokens are cached too, so this bounds what a guesser costs. */
  maxEntries: number;
  now: () => number;
}

type Lookup =
  | { kind: "live"; token: RuntimeTokenRecord }
  | { kind: "revoked" }
  | { kind: "unknown" };

interface CacheEntry {
  lookup: Promise<Lookup>;
  expiresAt: number;
  tokenId: string | undefined;
}

const BEARER = /^Bearer +(\S+) *$/i;

export class RuntimeTokenAuthenticator {
  readonly #db: Db;
  readonly #options: TokenCacheOptions;
  readonly #cache = new Map<string, CacheEntry>();

  constructor(db: Db, options: TokenCacheOptions) {
    this.#db = db;
    this.#options = options;
  }

  /** The live token behind an Authorization header; throws RuntimeTokenRefusedError. */
  async authenticate(header: string | undefined): Promise<RuntimeTokenRecord> {
    if (!header) {
      throw new RuntimeTokenRefusedError(
        "Send a runtime token in the Authorization header: Bearer scrt_...",
      );
    }
    const token = BEARER.exec(header)?.[1];
    if (!token || !RUNTIME_TOKEN_PATTERN.test(token)) {
      throw new RuntimeTokenRefusedError(
        "The Authorization header does not hold a runtime token; send Bearer scrt_...",
      );
    }

    const lookup = await this.#lookup(hashRuntimeToken(token));
    if (lookup.kind === "revoked") {
      throw new RuntimeTokenRefusedError(
        "This runtime token was revoked; ask an owner of the application for a new one.",
      );
    }
    if (lookup.kind === "unknown") {
      throw new RuntimeTokenRefusedError("This runtime token is not known to the console.");
    }
    return lookup.token;
  }

  /** Drops a token's cached lookup, so its revocation applies to the next request. */
  forget(tokenId: string): void {
    for (const [hash, entry] of this.#cache) {
      if (entry.tokenId === tokenId) this.#cache.delete(hash);
    }
  }

  #lookup(hash: string): Promise<Lookup> {
    const now = this.#options.now();
    const cached = this.#cache.get(hash);
    if (cached && cached.expiresAt > now) return cached.lookup;

    // Requests that arrive together share one query.
    const entry: CacheEntry = {
      lookup: this.#query(hash),
      expiresAt: now + this.#options.cacheMs,
      tokenId: undefined,
    };
    this.#cache.delete(hash);
    this.#makeRoom(now);
    this.#cache.set(hash, entry);
    entry.lookup.then(
      (lookup) => {
        if (lookup.kind === "live") entry.tokenId = lookup.token.id;
      },
      () => {
        if (this.#cache.get(hash) === entry) this.#cache.delete(hash);
      },
    );
    return entry.lookup;
  }

  // Expired entries go first; if that is not enough, the oldest (a Map keeps insertion order).
  #makeRoom(now: number): void {
    if (this.#cache.size < this.#options.maxEntries) return;
    for (const [hash, entry] of this.#cache) {
      if (entry.expiresAt <= now) this.#cache.delete(hash);
    }
    for (const hash of this.#cache.keys()) {
      if (this.#cache.size < this.#options.maxEntries) break;
      this.#cache.delete(hash);
    }
  }

  async #query(hash: string): Promise<Lookup> {
    const [row] = await this.#db
      .select({
        id: runtimeTokens.id,
        tokenHash: runtimeTokens.tokenHash,
        label: runtimeTokens.label,
        hint: runtimeTokens.hint,
        revokedAt: runtimeTokens.revokedAt,
        applicationId: applications.id,
        applicationSlug: applications.slug,
        environmentId: environments.id,
        environmentName: environments.name,
        environmentSlug: environments.slug,
      })
      .from(runtimeTokens)
      .innerJoin(applications, eq(applications.id, runtimeTokens.applicationId))
      // The environment must belong to the token's own application, whatever the row says.
      .innerJoin(
        environments,
        and(
          eq(environments.id, runtimeTokens.environmentId),
          eq(environments.applicationId, runtimeTokens.applicationId),
        ),
      )
      .where(eq(runtimeTokens.tokenHash, hash));
    if (!row || !sameHash(row.tokenHash, hash)) return { kind: "unknown" };
    if (row.revokedAt) return { kind: "revoked" };

    const { tokenHash: _stored, revokedAt: _revoked, ...token } = row;
    return { kind: "live", token };
  }
}

function sameHash(stored: string, computed: string): boolean {
  const a = Buffer.from(stored, "hex");
  const b = Buffer.from(computed, "hex");
  return a.length === 32 && b.length === 32 && timingSafeEqual(a, b);
}
