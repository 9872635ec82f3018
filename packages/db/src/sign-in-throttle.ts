import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import type { Database } from './client';
import { withDatabaseErrors } from './database-errors';

/**
 * The sign-in limiter: failed sign-ins counted in PostgreSQL, per account and client address
 * and per client address. The policy:
 *
 * - **Account + address**: 5 failures are free; the 5th and each one after locks that account
 *   for that address for 1 minute · 2^(failures − 5), at most 15 minutes.
 * - **Address** (any user names): 20 failures are free, then the same doubling from 1 minute,
 *   at most 15 minutes.
 * - A lock ends by itself: none lasts longer than 15 minutes, and a pair's or an address's
 *   failures are forgotten 24 hours after the last one. There is no account-wide lock, so
 *   whoever hammers an account from one address locks only that address out; the owner signs
 *   in from any other. (Guessing from many addresses is slowed per address only; passwords
 *   of at least 12 characters make that hopeless.)
 * - An attempt is counted *before* the password is checked, in one transaction that holds both
 *   rows' locks (`SELECT … FOR UPDATE`), so parallel attempts cannot pass the cap between a
 *   check and an increment. A refused attempt is not counted. A success forgets the pair's
 *   failures, gives the attempt back to the address and ends the address's lock.
 * - IPv6 clients are counted by their /64 (one subscriber's usual allocation), so rotating
 *   addresses inside it does not help; IPv4 clients by address.
 *
 * PostgreSQL rather than Redis: the check and both increments must be one atomic step whose
 * lock length depends on the count, which is a short row-locked transaction here (Redis would
 * need a Lua script), beside the operators it protects, surviving restarts.
 */

export const SIGN_IN_POLICY = {
  account: { freeFailures: 5 },
  address: { freeFailures: 20 },
  firstLockMs: 60_000,
  maxLockMs: 15 * 60_000,
  forgetAfterMs: 24 * 60 * 60_000,
} as const;

/** How long a key is locked after its `failures`-th failure (0 while failures are free). */
export function lockDurationMs(failures: number, freeFailures: number): number {
  if (failures < freeFailures) return 0;
  const doublings = Math.min(failures - freeFailures, 20);
  return Math.min(SIGN_IN_POLICY.firstLockMs * 2 ** doublings, SIGN_IN_POLICY.maxLockMs);
}

/**
 * The part of a client address the limiter counts: an IPv4 address as is (also when written
 * IPv4-mapped, `::ffff:a.b.c.d`), an IPv6 address by its /64, anything else as given.
 */
export function clientAddressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return mapped[1];
  const withoutZone = address.split('%')[0] ?? '';
  if (isIP(withoutZone) !== 6) return address;
  return `${ipv6Groups(withoutZone).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address, in lower-case hex without leading zeros. */
function ipv6Groups(address: string): string[] {
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros =
    tail === undefined ? [] : Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...zeros, ...tailGroups].map((group) => parseInt(group, 16).toString(16));
}

/** The limiter's row keys for a sign-in by `username` from `address`. */
export function signInThrottleKeys(username: string, address: string) {
  const where = clientAddressKey(address);
  const digest = (value: string) => createHash('sha256').update(value).digest('hex');
  return {
    account: `account:${digest(`${username.trim().toLowerCase()}\n${where}`)}`,
    address: `address:${digest(where)}`,
  };
}

export type SignInThrottleKeys = ReturnType<typeof signInThrottleKeys>;

export type SignInReservation =
  | { isAllowed: true; keys: SignInThrottleKeys }
  | { isAllowed: false; retryAfterSeconds: number; scope: 'account' | 'address' };

interface ThrottleRow {
  key: string;
  failures: number;
  blocked_until: Date | null;
  last_failure_at: Date;
  now: Date;
}

export function createSignInThrottle(db: Database) {
  return withDatabaseErrors({
    /**
     * Counts an attempt as a failure before the password is checked, unless the account (from
     * this address) or the address is locked; then nothing is counted and the caller answers
     * 429 with `retryAfterSeconds`.
     */
    async reserveAttempt(username: string, address: string): Promise<SignInReservation> {
      const keys = signInThrottleKeys(username, address);
      const free: Record<string, number> = {
        [keys.account]: SIGN_IN_POLICY.account.freeFailures,
        [keys.address]: SIGN_IN_POLICY.address.freeFailures,
      };
      const ordered = [keys.account, keys.address].sort();
      const reservation = await db.$transaction(async (tx) => {
        // Rows are created and locked in key order, so two attempts never wait on each other
        // in opposite orders.
        await tx.$executeRaw`INSERT INTO sign_in_throttle (key, failures)
          VALUES (${ordered[0]}, 0), (${ordered[1]}, 0) ON CONFLICT (key) DO NOTHING`;
        const rows = await tx.$queryRaw<ThrottleRow[]>`SELECT key, failures, blocked_until,
            last_failure_at, now() AS now
          FROM sign_in_throttle WHERE key IN (${ordered[0]}, ${ordered[1]})
          ORDER BY key FOR UPDATE`;
        const locked = rows
          .filter((row) => row.blocked_until && row.blocked_until > row.now)
          .map((row) => ({
            scope: row.key === keys.account ? ('account' as const) : ('address' as const),
            ms: (row.blocked_until as Date).getTime() - row.now.getTime(),
          }))
          .sort((a, b) => b.ms - a.ms)[0];
        if (locked) {
          return {
            isAllowed: false as const,
            retryAfterSeconds: Math.max(1, Math.ceil(locked.ms / 1000)),
            scope: locked.scope,
          };
        }
        for (const row of rows) {
          const isForgotten =
            row.now.getTime() - row.last_failure_at.getTime() > SIGN_IN_POLICY.forgetAfterMs;
          const failures = (isForgotten ? 0 : row.failures) + 1;
          const lockMs = lockDurationMs(failures, free[row.key] ?? 0);
          const blockedUntil = lockMs > 0 ? new Date(row.now.getTime() + lockMs) : null;
          await tx.$executeRaw`UPDATE sign_in_throttle
            SET failures = ${failures}, blocked_until = ${blockedUntil}, last_failure_at = ${row.now}
            WHERE key = ${row.key}`;
        }
        return { isAllowed: true as const, keys };
      });
      await db.$executeRaw`DELETE FROM sign_in_throttle
        WHERE last_failure_at < now() - make_interval(secs => ${SIGN_IN_POLICY.forgetAfterMs / 1000})`;
      return reservation;
    },

    /**
     * The reserved attempt was the right password: the pair's failures are forgotten, and the
     * address gets the attempt back and is unlocked (an operator just signed in from it).
     */
    async recordSuccess(keys: SignInThrottleKeys): Promise<void> {
      await db.$transaction([
        db.$executeRaw`DELETE FROM sign_in_throttle WHERE key = ${keys.account}`,
        db.$executeRaw`UPDATE sign_in_throttle
          SET failures = GREATEST(failures - 1, 0), blocked_until = NULL
          WHERE key = ${keys.address}`,
      ]);
    },

    /** The reserved attempt ended before the password was checked: it does not count. */
    async releaseAttempt(keys: SignInThrottleKeys): Promise<void> {
      await db.$transaction([
        giveBack(db, keys.account, SIGN_IN_POLICY.account.freeFailures),
        giveBack(db, keys.address, SIGN_IN_POLICY.address.freeFailures),
      ]);
    },
  });
}

/** One failure fewer; a lock stays only while the failures still reach the free count. */
function giveBack(db: Database, key: string, freeFailures: number) {
  return db.$executeRaw`UPDATE sign_in_throttle
    SET failures = GREATEST(failures - 1, 0),
      blocked_until = CASE WHEN failures - 1 >= ${freeFailures} THEN blocked_until END
    WHERE key = ${key}`;
}

export type SignInThrottle = ReturnType<typeof createSignInThrottle>;
