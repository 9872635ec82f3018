import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createDatabase,
  createSignInThrottle,
  migrateDatabase,
  signInThrottleKeys,
  type Database,
} from '../src/index';

/** The sign-in limiter's counters, against a fresh database of their own. */

const baseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/tidewater';
const name = `tidewater_throttle_${randomBytes(4).toString('hex')}`;
const url = Object.assign(new URL(baseUrl), { pathname: `/${name}` }).toString();
let db: Database;

beforeAll(async () => {
  await migrateDatabase(url);
  db = createDatabase(url);
});

afterAll(async () => {
  await db?.$disconnect();
  const admin = new pg.Client({
    connectionString: Object.assign(new URL(baseUrl), { pathname: '/postgres' }).toString(),
  });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.end();
});

const user = () => `user-${randomBytes(3).toString('hex')}`;

describe('sign-in throttle', () => {
  it('allows exactly 5 of 30 parallel attempts for one account from one address', async () => {
    const throttle = createSignInThrottle(db);
    const username = user();
    const results = await Promise.all(
      Array.from({ length: 30 }, () => throttle.reserveAttempt(username, '192.0.2.1')),
    );
    expect(results.filter((result) => result.isAllowed)).toHaveLength(5);
    const row = await db.signInThrottle.findUniqueOrThrow({
      where: { key: signInThrottleKeys(username, '192.0.2.1').account },
    });
    expect(row.failures).toBe(5);
  });

  it('locks an address after 20 failures whatever the user names, and never another address', async () => {
    const throttle = createSignInThrottle(db);
    for (let index = 0; index < 20; index += 1) {
      expect((await throttle.reserveAttempt(user(), '192.0.2.2')).isAllowed).toBe(true);
    }
    expect(await throttle.reserveAttempt(user(), '192.0.2.2')).toMatchObject({
      isAllowed: false,
      scope: 'address',
    });
    expect((await throttle.reserveAttempt(user(), '192.0.2.3')).isAllowed).toBe(true);
  });

  it('counts an IPv6 /64 as one address', async () => {
    const throttle = createSignInThrottle(db);
    const username = user();
    for (let index = 1; index <= 5; index += 1) {
      expect((await throttle.reserveAttempt(username, `2001:db8:1:2::${index}`)).isAllowed).toBe(
        true,
      );
    }
    expect((await throttle.reserveAttempt(username, '2001:db8:1:2:ffff::9')).isAllowed).toBe(false);
    expect((await throttle.reserveAttempt(username, '2001:db8:1:3::1')).isAllowed).toBe(true);
  });

  it('forgets the account’s failures after a success, and gives back an attempt never checked', async () => {
    const throttle = createSignInThrottle(db);
    const username = user();
    let last = await throttle.reserveAttempt(username, '192.0.2.4');
    for (let index = 0; index < 3; index += 1) {
      last = await throttle.reserveAttempt(username, '192.0.2.4');
    }
    if (!last.isAllowed) throw new Error('the 4th attempt should be allowed');
    await throttle.recordSuccess(last.keys);
    const keys = signInThrottleKeys(username, '192.0.2.4');
    expect(await db.signInThrottle.findUnique({ where: { key: keys.account } })).toBeNull();
    expect(
      (await db.signInThrottle.findUniqueOrThrow({ where: { key: keys.address } })).failures,
    ).toBe(3);

    const unchecked = await throttle.reserveAttempt(username, '192.0.2.4');
    if (!unchecked.isAllowed) throw new Error('the attempt should be allowed');
    await throttle.releaseAttempt(unchecked.keys);
    expect(
      (await db.signInThrottle.findUniqueOrThrow({ where: { key: keys.account } })).failures,
    ).toBe(0);
  });

  it('forgets failures 24 hours after the last one', async () => {
    const throttle = createSignInThrottle(db);
    const username = user();
    for (let index = 0; index < 5; index += 1) await throttle.reserveAttempt(username, '192.0.2.5');
    expect((await throttle.reserveAttempt(username, '192.0.2.5')).isAllowed).toBe(false);
    const keys = signInThrottleKeys(username, '192.0.2.5');
    await db.signInThrottle.update({
      where: { key: keys.account },
      data: { lastFailureAt: new Date(Date.now() - 25 * 3600_000), blockedUntil: null },
    });
    expect((await throttle.reserveAttempt(username, '192.0.2.5')).isAllowed).toBe(true);
    const row = await db.signInThrottle.findUnique({ where: { key: keys.account } });
    expect(row?.failures).toBe(1);
  });
});
