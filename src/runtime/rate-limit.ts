// The per-token rate limit of the runtime API: a token bucket per runtime token, refilled evenly
// over a minute, so a burst at a runtime's start passes and a loop that reads without pause stops.
//
// The buckets live in this process's memory. With several console processes a token may read
// that many times the limit; that is acceptable because the limit guards against a runaway
// runtime (a bug that reads in a tight loop), not against someone holding a stolen token, and
// a shared counter would cost a database write per request, which the runtime path avoids.

export interface RateLimitOptions {
  /** Requests a token may make per minute, which is also the largest burst. */
  perMinute: number;
  now: () => number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Buckets kept before idle, full ones are dropped; runtime tokens are few, so this is ample. */
const MAX_BUCKETS = 10_000;

export class RateLimiter {
  readonly #perMs: number;
  readonly #capacity: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: RateLimitOptions) {
    this.#capacity = options.perMinute;
    this.#perMs = options.perMinute / 60_000;
    this.#now = options.now;
  }

  /** Takes one request from `key`'s bucket, or says how long to wait for the next one. */
  take(key: string): RateDecision {
    const now = this.#now();
    const bucket = this.#buckets.get(key) ?? this.#newBucket(key, now);
    bucket.tokens = Math.min(
      this.#capacity,
      bucket.tokens + (now - bucket.updatedAt) * this.#perMs,
    );
    bucket.updatedAt = now;

    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    const waitMs = (1 - bucket.tokens) / this.#perMs;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  #newBucket(key: string, now: number): Bucket {
    if (this.#buckets.size >= MAX_BUCKETS) this.#dropFullBuckets(now);
    const bucket = { tokens: this.#capacity, updatedAt: now };
    this.#buckets.set(key, bucket);
    return bucket;
  }

  // A bucket that has refilled is the same as no bucket at all.
  #dropFullBuckets(now: number): void {
    for (const [key, bucket] of this.#buckets) {
      if (bucket.tokens + (now - bucket.updatedAt) * this.#perMs >= this.#capacity) {
        this.#buckets.delete(key);
      }
    }
  }
}
