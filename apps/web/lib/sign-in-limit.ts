import 'server-only';
import { createSignInThrottle, type SignInThrottleKeys } from '@tidewater/db';
import { TidewaterError } from '@tidewater/errors';
import { engine } from './engine';

/**
 * The sign-in limiter as the sign-in route uses it; the policy and its counters are in
 * `@tidewater/db` (sign-in-throttle.ts): per account + client address and per client address,
 * counted before the password is checked, locks doubling from 1 to at most 15 minutes. The
 * client address is the TCP peer or what a configured proxy reported (server.ts).
 */

export interface SignInAttempt {
  /** The password was right: forget this pair's failures. */
  succeeded(): Promise<void>;
  /** The password was never checked (the check itself failed): this attempt does not count. */
  release(): Promise<void>;
}

/** Counts an attempt, or throws SIGN_IN_RATE_LIMITED (429 with Retry-After) while locked. */
export async function reserveSignInAttempt(
  username: string,
  address: string,
): Promise<SignInAttempt> {
  const throttle = createSignInThrottle(engine().db);
  const reservation = await throttle.reserveAttempt(username, address);
  if (!reservation.isAllowed) {
    const seconds = reservation.retryAfterSeconds;
    const minutes = Math.ceil(seconds / 60);
    throw new TidewaterError(
      'SIGN_IN_RATE_LIMITED',
      reservation.scope === 'account'
        ? 'Too many failed sign-ins to this account from your address.'
        : 'Too many failed sign-ins from your address.',
      {
        category: 'unavailable',
        remedy: `Wait ${minutes} minute${minutes === 1 ? '' : 's'} and try again; each further failure doubles the wait, up to 15 minutes.`,
        details: { retryAfterSeconds: seconds },
      },
    );
  }
  const keys: SignInThrottleKeys = reservation.keys;
  return {
    succeeded: () => throttle.recordSuccess(keys),
    release: () => throttle.releaseAttempt(keys),
  };
}
