// Sign-in limits, per account and per client address, kept in the database so every console
// process counts the same failures. Unknown emails are counted like known ones, so a block says
// nothing about whether an account exists.

import { sql } from "drizzle-orm";
import type { Database } from "../core/db/client.ts";
import { TooManyRequestsError } from "../core/errors.ts";

export interface ThrottleRule {
  /** Failures allowed within the window; the one that reaches it starts the block. */
  maxFailures: number;
  windowSeconds: number;
  blockSeconds: number;
}

export const ACCOUNT_RULE: ThrottleRule = { maxFailures: 5, windowSeconds: 900, blockSeconds: 900 };

/** Wider than the account rule: several people may share one address (an office, a proxy). */
export const ADDRESS_RULE: ThrottleRule = {
  maxFailures: 30,
  windowSeconds: 900,
  blockSeconds: 900,
};

export interface ThrottleKeys {
  account: string;
  address: string;
}

export function throttleKeys(email: string, address: string | undefined): ThrottleKeys {
  return { account: `account:${email}`, address: `address:${address ?? "unknown"}` };
}

/** Throws TooManyRequestsError while either key is blocked. */
export async function assertNotThrottled(database: Database, keys: ThrottleKeys): Promise<void> {
  const [row] = await database.rows<{ wait: number | string | null }>(sql`
    select ceil(extract(epoch from max(blocked_until) - now()))::int as wait
    from sign_in_throttles
    where key in (${keys.account}, ${keys.address}) and blocked_until > now()`);

  const wait = Number(row?.wait ?? 0);
  if (wait > 0) throw throttledError(wait);
}

/**
 * Counts one failure against both keys. One upsert per key, so two processes failing at the
 * same moment both count; the window restarts once it has passed.
 */
export async function recordFailure(database: Database, keys: ThrottleKeys): Promise<void> {
  await countFailure(database, keys.account, ACCOUNT_RULE);
  await countFailure(database, keys.address, ADDRESS_RULE);
}

/** A successful sign-in clears its account's count; the address keeps counting. */
export async function clearAccountFailures(database: Database, keys: ThrottleKeys): Promise<void> {
  await database.rows(sql`delete from sign_in_throttles where key = ${keys.account}`);
}

/** Drops rows whose window and block have both passed; they would restart from zero anyway. */
export async function purgeOldThrottles(database: Database): Promise<void> {
  const longest = Math.max(
    ACCOUNT_RULE.windowSeconds,
    ADDRESS_RULE.windowSeconds,
    ACCOUNT_RULE.blockSeconds,
    ADDRESS_RULE.blockSeconds,
  );
  await database.rows(sql`
    delete from sign_in_throttles
    where window_started_at < now() - make_interval(secs => ${longest}::int)
      and (blocked_until is null or blocked_until < now())`);
}

export function throttledError(waitSeconds: number): TooManyRequestsError {
  const minutes = Math.ceil(waitSeconds / 60);
  return new TooManyRequestsError(
    `Too many failed sign-ins. Wait ${minutes} minute${minutes === 1 ? "" : "s"} and try ` +
      "again, or ask another owner to check your account.",
    waitSeconds,
  );
}

async function countFailure(database: Database, key: string, rule: ThrottleRule): Promise<void> {
  const windowStart = sql`now() - make_interval(secs => ${rule.windowSeconds}::int)`;
  const expired = sql`t.window_started_at <= ${windowStart}`;
  const failures = sql`case when ${expired} then 1 else t.failures + 1 end`;
  const block = sql`now() + make_interval(secs => ${rule.blockSeconds}::int)`;

  await database.rows(sql`
    insert into sign_in_throttles as t (key, failures, window_started_at, blocked_until)
    values (
      ${key}, 1, now(),
      case when 1 >= ${rule.maxFailures}::int then ${block} end
    )
    on conflict (key) do update set
      failures = ${failures},
      window_started_at = case when ${expired} then now() else t.window_started_at end,
      blocked_until = case
        when ${failures} >= ${rule.maxFailures}::int then ${block}
        else t.blocked_until
      end`);
}
