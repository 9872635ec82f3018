import 'server-only';
import { createHash } from 'node:crypto';
import { TidewaterError } from '@tidewater/errors';
import { engine } from './engine';

/**
 * Failed sign-ins are counted in Redis per user name and per client address, in a fixed
 * window. Past the limit, sign-in answers 429 until the window ends, even with the right
 * password, so guessing is capped at MAX_PER_USER tries per user per window. A success clears
 * the user's count. The per-address limit relies on X-Forwarded-For (set by Next from the
 * socket, or by the reverse proxy in front); the per-user limit does not depend on it.
 */

const WINDOW_SECONDS = 15 * 60;
const MAX_PER_USER = 5;
const MAX_PER_ADDRESS = 20;

function keys(username: string, address: string) {
  const prefix = `${engine().environment.TIDEWATER_QUEUE_PREFIX}:sign-in-failures`;
  const digest = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 32);
  return {
    user: `${prefix}:user:${digest(username.trim().toLowerCase())}`,
    address: `${prefix}:address:${digest(address)}`,
  };
}

export async function assertSignInAllowed(username: string, address: string): Promise<void> {
  const { redis } = engine();
  const { user, address: byAddress } = keys(username, address);
  const [userCount, addressCount] = (await redis.mget(user, byAddress)).map(Number);
  const blocked =
    (userCount ?? 0) >= MAX_PER_USER
      ? user
      : (addressCount ?? 0) >= MAX_PER_ADDRESS
        ? byAddress
        : null;
  if (!blocked) return;
  const seconds = Math.max(await redis.ttl(blocked), 1);
  const minutes = Math.ceil(seconds / 60);
  throw new TidewaterError('SIGN_IN_RATE_LIMITED', 'Too many failed sign-ins.', {
    category: 'unavailable',
    remedy: `Wait ${minutes} minute${minutes === 1 ? '' : 's'} and try again, or ask another operator to check the account.`,
    details: { retryAfterSeconds: seconds },
  });
}

export async function recordSignInFailure(username: string, address: string): Promise<void> {
  const { user, address: byAddress } = keys(username, address);
  const transaction = engine().redis.multi();
  for (const key of [user, byAddress]) {
    transaction.set(key, '0', 'EX', WINDOW_SECONDS, 'NX').incr(key);
  }
  await transaction.exec();
}

export async function clearSignInFailures(username: string, address: string): Promise<void> {
  await engine().redis.del(keys(username, address).user);
}
