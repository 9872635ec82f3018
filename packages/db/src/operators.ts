import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { MIN_PASSWORD_LENGTH, type ApiTokenView, type OperatorView } from '@tidewater/config/api';
import { TidewaterError } from '@tidewater/errors';
import type { Database } from './client';
import { withDatabaseErrors } from './database-errors';
import { isUuid } from './tasks';

/**
 * Operators of the console, their browser sessions and their API tokens.
 *
 * - Passwords: scrypt (RFC 7914) with a 16-byte random salt, at OWASP's minimum for scrypt
 *   (N=2^17, r=8, p=1: the Password Storage Cheat Sheet). The stored string carries the
 *   parameters (`scrypt$N$r$p$salt$hash`); a hash made with other parameters is replaced at
 *   the operator's next successful sign-in. Each hash takes 128 MiB and a thread of libuv's
 *   pool for a few hundred milliseconds, so at most PASSWORD_CHECKS.concurrent run at once and
 *   PASSWORD_CHECKS.waiting wait; beyond that the caller is told to retry.
 * - Sessions and API tokens are 32 random bytes given to the client once; the database keeps
 *   only their SHA-256. A fast hash is enough there: the secrets are random, not guessable.
 * - API tokens expire (90 days unless chosen otherwise, at most a year), record when they
 *   were last used, and are all revoked when their operator's password changes.
 */

export const ADMIN_USERNAME = 'admin';

const SCRYPT = { N: 2 ** 17, r: 8, p: 1, keyLength: 64, saltLength: 16 } as const;
const PASSWORD_CHECKS = { concurrent: 2, waiting: 32 } as const;
/** API token lifetimes in days: the default and the longest an operator may choose. */
export const API_TOKEN_DAYS = { default: 90, max: 365 } as const;
/** Sessions end after this long without a request, and in any case after SESSION_MAX_MS. */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
export const SESSION_MAX_MS = 7 * 24 * 60 * 60 * 1000;
/** A session's expiry is pushed forward at most this often, to spare a write per request. */
const SESSION_TOUCH_MS = 60 * 1000;
const TOKEN_PREFIX = 'tw_';
/** New passwords chosen by an operator; the generated admin password is longer. */
export { MIN_PASSWORD_LENGTH };

/** User names as the sign-in form takes them; checked again here for operators made by code. */
const USERNAME = /^[A-Za-z0-9._-]{1,64}$/;

export type { ApiTokenView, OperatorView } from '@tidewater/config/api';

/** What an `Authorization: Bearer` token is worth. */
export type ApiTokenCheck =
  | { status: 'valid'; operator: OperatorView }
  | { status: 'expired'; expiredAt: string }
  | { status: 'unknown' };

export interface SignedInSession {
  operator: OperatorView;
  /** When the session ends unless it is used again. */
  expiresAt: Date;
}

let checksRunning = 0;
const checksWaiting: Array<() => void> = [];

/** Runs `work` when fewer than PASSWORD_CHECKS.concurrent hashes run; refuses a long queue. */
async function withPasswordCheckSlot<T>(work: () => Promise<T>): Promise<T> {
  if (checksRunning >= PASSWORD_CHECKS.concurrent) {
    if (checksWaiting.length >= PASSWORD_CHECKS.waiting) {
      throw new TidewaterError(
        'PASSWORD_CHECKS_BUSY',
        'The console is checking too many passwords at once.',
        {
          category: 'unavailable',
          isRetryable: true,
          remedy: 'Try again in a few seconds.',
          details: { retryAfterSeconds: 2 },
        },
      );
    }
    await new Promise<void>((resolve) => checksWaiting.push(resolve));
  } else {
    checksRunning += 1;
  }
  try {
    return await work();
  } finally {
    // The slot passes straight to the next waiter, so the count stays as it is.
    const next = checksWaiting.shift();
    if (next) next();
    else checksRunning -= 1;
  }
}

function scryptAsync(password: string, salt: Buffer, keyLength: number, options: ScryptOptions) {
  return withPasswordCheckSlot(
    () =>
      new Promise<Buffer>((resolve, reject) => {
        scrypt(password, salt, keyLength, options, (error, key) =>
          error ? reject(error) : resolve(key),
        );
      }),
  );
}

/** scrypt needs 128·N·r bytes and a little more; Node refuses anything above maxmem. */
function scryptMemory(N: number, r: number): number {
  return 128 * N * r * 2;
}

/** Whether a stored hash was made with parameters other than today's (then it is replaced). */
export function isOutdatedPasswordHash(stored: string): boolean {
  const [scheme, n, r, p, , hash] = stored.split('$');
  return (
    scheme !== 'scrypt' ||
    Number(n) !== SCRYPT.N ||
    Number(r) !== SCRYPT.r ||
    Number(p) !== SCRYPT.p ||
    Buffer.from(hash ?? '', 'base64url').length !== SCRYPT.keyLength
  );
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SCRYPT.saltLength);
  const { N, r, p, keyLength } = SCRYPT;
  const hash = await scryptAsync(password, salt, keyLength, {
    N,
    r,
    p,
    maxmem: scryptMemory(N, r),
  });
  return ['scrypt', N, r, p, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const options = { N: Number(n), r: Number(r), p: Number(p) };
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64url'), expected.length, {
    ...options,
    maxmem: scryptMemory(options.N, options.r),
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** A hash of no real password: verifying against it costs what a real check costs. */
let decoyHash: Promise<string> | undefined;

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

function operatorView(row: {
  id: string;
  username: string;
  createdAt: Date;
  passwordChangedAt: Date;
}): OperatorView {
  return {
    id: row.id,
    username: row.username,
    createdAt: row.createdAt.toISOString(),
    passwordChangedAt: row.passwordChangedAt.toISOString(),
  };
}

function tokenView(row: {
  id: string;
  name: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date;
}): ApiTokenView {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    expiresAt: row.expiresAt.toISOString(),
  };
}

function invalidField(code: string, path: string, message: string, remedy: string): TidewaterError {
  return new TidewaterError(code, message, {
    category: 'invalid_input',
    remedy,
    details: { problems: [{ path, message }] },
  });
}

export function createOperatorRepository(db: Database) {
  return withDatabaseErrors({
    async createOperator(username: string, password: string): Promise<OperatorView> {
      const name = username.trim();
      if (!USERNAME.test(name)) {
        throw invalidField(
          'USERNAME_INVALID',
          'username',
          'A user name has 1 to 64 letters, digits, ".", "_" or "-".',
          'Choose a user name without spaces or other symbols.',
        );
      }
      const row = await db.operator.create({
        data: { username: name, passwordHash: await hashPassword(password) },
      });
      return operatorView(row);
    },

    /**
     * The operator whose user name and password these are, or null. An unknown user name
     * costs the same scrypt work as a wrong password, so timing does not reveal user names.
     * A right password stored with outdated parameters is hashed again with today's.
     */
    async verifyCredentials(username: string, password: string): Promise<OperatorView | null> {
      const row = await db.operator.findUnique({ where: { username: username.trim() } });
      if (!row) {
        decoyHash ??= hashPassword(newSecret());
        await verifyPassword(password, await decoyHash);
        return null;
      }
      if (!(await verifyPassword(password, row.passwordHash))) return null;
      if (isOutdatedPasswordHash(row.passwordHash)) {
        // Only if nobody changed the password meanwhile; not a password change either.
        await db.operator.updateMany({
          where: { id: row.id, passwordHash: row.passwordHash },
          data: { passwordHash: await hashPassword(password) },
        });
      }
      return operatorView(row);
    },

    /** Starts a session; the returned token goes into the cookie and nowhere else. */
    async createSession(
      operatorId: string,
      options: { userAgent?: string | null } = {},
    ): Promise<{ token: string; expiresAt: Date }> {
      const token = newSecret();
      const now = Date.now();
      const expiresAt = new Date(now + SESSION_IDLE_MS);
      await db.session.deleteMany({ where: { expiresAt: { lt: new Date(now) } } });
      await db.session.create({
        data: {
          id: hashSecret(token),
          operatorId,
          expiresAt,
          userAgent: options.userAgent?.slice(0, 512) ?? null,
        },
      });
      return { token, expiresAt };
    },

    /** The session behind a cookie's token, extending it while it is used; null when it ended. */
    async readSession(token: string): Promise<SignedInSession | null> {
      const id = hashSecret(token);
      const row = await db.session.findUnique({ where: { id }, include: { operator: true } });
      const now = Date.now();
      if (!row) return null;
      if (row.expiresAt.getTime() <= now) {
        await db.session.deleteMany({ where: { id } });
        return null;
      }
      let expiresAt = row.expiresAt;
      if (now - row.lastSeenAt.getTime() > SESSION_TOUCH_MS) {
        expiresAt = new Date(
          Math.min(now + SESSION_IDLE_MS, row.createdAt.getTime() + SESSION_MAX_MS),
        );
        await db.session.updateMany({
          where: { id },
          data: { lastSeenAt: new Date(now), expiresAt },
        });
      }
      return { operator: operatorView(row.operator), expiresAt };
    },

    async deleteSession(token: string): Promise<void> {
      await db.session.deleteMany({ where: { id: hashSecret(token) } });
    },

    /**
     * Changes the password after checking the current one, ends the operator's other sessions
     * and revokes all their API tokens (a changed password should lock out whoever else knew
     * the old one, and tokens that person may have made). Returns the revoked tokens, so the
     * operator knows which scripts need a new one.
     */
    async changePassword(
      operatorId: string,
      currentPassword: string,
      newPassword: string,
      options: { keepSessionToken?: string } = {},
    ): Promise<{ revokedApiTokens: ApiTokenView[] }> {
      const row = await db.operator.findUnique({ where: { id: operatorId } });
      if (!row || !(await verifyPassword(currentPassword, row.passwordHash))) {
        throw invalidField(
          'PASSWORD_WRONG',
          'currentPassword',
          'The current password is not right.',
          'Enter the password you signed in with.',
        );
      }
      if (newPassword.length < MIN_PASSWORD_LENGTH) {
        throw invalidField(
          'PASSWORD_WEAK',
          'newPassword',
          `Use at least ${MIN_PASSWORD_LENGTH} characters.`,
          'Choose a longer password; a passphrase of a few words is easy to remember.',
        );
      }
      if (newPassword === currentPassword) {
        throw invalidField(
          'PASSWORD_UNCHANGED',
          'newPassword',
          'The new password is the current one.',
          'Choose a different password.',
        );
      }
      const keep = options.keepSessionToken ? hashSecret(options.keepSessionToken) : undefined;
      const passwordHash = await hashPassword(newPassword);
      const now = new Date();
      const revoked = await db.$transaction(async (tx) => {
        await tx.operator.update({
          where: { id: operatorId },
          data: { passwordHash, passwordChangedAt: now },
        });
        await tx.session.deleteMany({
          where: { operatorId, ...(keep ? { id: { not: keep } } : {}) },
        });
        const tokens = await tx.apiToken.findMany({
          where: { operatorId, revokedAt: null, expiresAt: { gt: now } },
          orderBy: { createdAt: 'desc' },
        });
        await tx.apiToken.updateMany({
          where: { operatorId, revokedAt: null },
          data: { revokedAt: now },
        });
        return tokens;
      });
      return { revokedApiTokens: revoked.map(tokenView) };
    },

    /**
     * Creates an API token valid for `expiresInDays` (API_TOKEN_DAYS); `token` is the only
     * time the secret is available.
     */
    async createApiToken(
      operatorId: string,
      name: string,
      options: { expiresInDays?: number } = {},
    ): Promise<{ token: string; apiToken: ApiTokenView }> {
      const days = options.expiresInDays ?? API_TOKEN_DAYS.default;
      if (!Number.isInteger(days) || days < 1 || days > API_TOKEN_DAYS.max) {
        throw invalidField(
          'API_TOKEN_EXPIRY_INVALID',
          'expiresInDays',
          `A token lives 1 to ${API_TOKEN_DAYS.max} days.`,
          `Choose a whole number of days up to ${API_TOKEN_DAYS.max}; make a new token when it expires.`,
        );
      }
      const token = `${TOKEN_PREFIX}${newSecret()}`;
      const row = await db.apiToken.create({
        data: {
          operatorId,
          name: name.trim().slice(0, 100) || 'API token',
          tokenHash: hashSecret(token),
          prefix: token.slice(0, TOKEN_PREFIX.length + 6),
          expiresAt: new Date(Date.now() + days * 24 * 60 * 60 * 1000),
        },
      });
      return { token, apiToken: tokenView(row) };
    },

    /** The operator's tokens that are not revoked, expired ones included (marked by expiresAt). */
    async listApiTokens(operatorId: string): Promise<ApiTokenView[]> {
      const rows = await db.apiToken.findMany({
        where: { operatorId, revokedAt: null },
        orderBy: { createdAt: 'desc' },
      });
      return rows.map(tokenView);
    },

    async revokeApiToken(operatorId: string, id: string): Promise<void> {
      const result = isUuid(id)
        ? await db.apiToken.updateMany({
            where: { id, operatorId, revokedAt: null },
            data: { revokedAt: new Date() },
          })
        : { count: 0 };
      if (result.count === 0) {
        throw new TidewaterError('API_TOKEN_NOT_FOUND', 'There is no such API token.', {
          category: 'not_found',
          remedy: 'Reload the token list; it may have been revoked already.',
        });
      }
    },

    /**
     * Whose an `Authorization: Bearer` token is: its operator, or that it expired, or nobody's
     * (unknown or revoked). Records the use (to the minute).
     */
    async readApiToken(token: string): Promise<ApiTokenCheck> {
      if (!token.startsWith(TOKEN_PREFIX)) return { status: 'unknown' };
      const row = await db.apiToken.findUnique({
        where: { tokenHash: hashSecret(token) },
        include: { operator: true },
      });
      if (!row || row.revokedAt) return { status: 'unknown' };
      const now = Date.now();
      if (row.expiresAt.getTime() <= now) {
        return { status: 'expired', expiredAt: row.expiresAt.toISOString() };
      }
      if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > SESSION_TOUCH_MS) {
        await db.apiToken.updateMany({
          where: { id: row.id },
          data: { lastUsedAt: new Date(now) },
        });
      }
      return { status: 'valid', operator: operatorView(row.operator) };
    },
  });
}

export type OperatorRepository = ReturnType<typeof createOperatorRepository>;

export type AdminOperatorResult =
  | { isCreated: false; username: string }
  | { isCreated: true; username: string; password: string; isGenerated: boolean };

/**
 * The first operator: when nobody can sign in yet, creates `admin` with
 * TIDEWATER_ADMIN_PASSWORD or, when that is unset, a random password the caller prints once.
 * Does nothing when any operator exists (the variable is read only at that first start).
 */
export async function ensureAdminOperator(
  db: Database,
  options: { password?: string } = {},
): Promise<AdminOperatorResult> {
  const given = options.password ?? process.env.TIDEWATER_ADMIN_PASSWORD;
  if ((await db.operator.count()) > 0) return { isCreated: false, username: ADMIN_USERNAME };
  if (given !== undefined && given.length < 8) {
    throw new TidewaterError(
      'ADMIN_PASSWORD_WEAK',
      'TIDEWATER_ADMIN_PASSWORD is shorter than 8 characters.',
      {
        category: 'invalid_input',
        remedy: 'Set a longer TIDEWATER_ADMIN_PASSWORD, or unset it to get a random password.',
      },
    );
  }
  const password = given || randomBytes(18).toString('base64url');
  try {
    await createOperatorRepository(db).createOperator(ADMIN_USERNAME, password);
  } catch (error) {
    // Another process (web and quickstart start together) created it first.
    if ((error as { code?: string }).code === 'P2002')
      return { isCreated: false, username: ADMIN_USERNAME };
    throw error;
  }
  return { isCreated: true, username: ADMIN_USERNAME, password, isGenerated: !given };
}
