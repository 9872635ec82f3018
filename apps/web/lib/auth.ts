import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import 'server-only';
import type { NextRequest } from 'next/server';
import {
  createOperatorRepository,
  ensureAdminOperator,
  SESSION_MAX_MS,
  type ApiTokenCheck,
  type OperatorRepository,
  type OperatorView,
} from '@tidewater/db';
import { TidewaterError } from '@tidewater/errors';
import { engine } from './engine';
import { log } from './log';
import { SESSION_COOKIE } from './session-cookie';

/**
 * Who is calling. The console signs in with a session cookie; the CLI and automation send
 * `Authorization: Bearer <API token>`.
 *
 * CSRF: state-changing requests that rely on the cookie must come from the console's own
 * origin — the `Origin` header (sent by every current browser on POST/PATCH/PUT/DELETE), or
 * `Sec-Fetch-Site: same-origin` when Origin is missing, must match the host the request was
 * sent to (or TIDEWATER_PUBLIC_URL when set, for a reverse proxy that rewrites Host). Bearer
 * requests are exempt: a browser never attaches a bearer token on its own. The cookie is
 * also SameSite=Lax, so other sites' forms and scripts do not carry it on POSTs anyway.
 */

export type Principal =
  | { via: 'session'; operator: OperatorView; sessionToken: string }
  | { via: 'token'; operator: OperatorView };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function operators(): OperatorRepository {
  return createOperatorRepository(engine().db);
}

export async function authenticate(request: NextRequest): Promise<Principal | null> {
  await ensureAdminOnce();
  const authorization = request.headers.get('authorization');
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    const check: ApiTokenCheck = match?.[1]
      ? await operators().readApiToken(match[1])
      : { status: 'unknown' };
    switch (check.status) {
      case 'valid':
        return { via: 'token', operator: check.operator };
      case 'expired':
        throw new TidewaterError(
          'API_TOKEN_EXPIRED',
          `The API token expired at ${check.expiredAt}.`,
          {
            category: 'unauthorized',
            remedy:
              'Create a new API token on the Account page (choose how long it lives) and use it instead.',
          },
        );
      case 'unknown':
        throw new TidewaterError(
          'API_TOKEN_INVALID',
          'The API token is not valid (it was revoked, or its operator changed the password).',
          {
            category: 'unauthorized',
            remedy:
              'Create a new API token on the Account page and send it as "Authorization: Bearer <token>".',
          },
        );
    }
  }
  const sessionToken = request.cookies.get(SESSION_COOKIE)?.value;
  if (!sessionToken) return null;
  const session = await operators().readSession(sessionToken);
  return session ? { via: 'session', operator: session.operator, sessionToken } : null;
}

export function unauthenticated(): TidewaterError {
  return new TidewaterError('UNAUTHENTICATED', 'Sign in to use the console and its API.', {
    category: 'unauthorized',
    remedy:
      'Sign in at /sign-in, or send an API token (Account page) as "Authorization: Bearer <token>".',
  });
}

/** Throws CSRF_REJECTED unless a cookie-authenticated unsafe request is same-origin. */
export function assertSameOrigin(request: NextRequest): void {
  if (SAFE_METHODS.has(request.method)) return;
  const origin = request.headers.get('origin');
  const isSameOrigin =
    origin !== null
      ? origin === expectedOrigin(request)
      : request.headers.get('sec-fetch-site') === 'same-origin';
  if (!isSameOrigin) {
    throw new TidewaterError('CSRF_REJECTED', 'This request did not come from the console.', {
      category: 'unauthorized',
      remedy:
        'Use the console itself, or call the API with an API token. Behind a reverse proxy, set TIDEWATER_PUBLIC_URL to the address operators open.',
    });
  }
}

function expectedOrigin(request: NextRequest): string {
  const configured = process.env.TIDEWATER_PUBLIC_URL;
  if (configured) return new URL(configured).origin;
  const host = request.headers.get('x-forwarded-host') ?? request.headers.get('host') ?? '';
  return `${isHttps(request) ? 'https' : 'http'}://${host}`;
}

/**
 * Whether the client used https. X-Forwarded-Proto is set by the edge server (server.ts) from
 * the socket, or from a configured proxy's report; a client's own value never gets here.
 */
export function isHttps(request: NextRequest): boolean {
  const forwarded = request.headers.get('x-forwarded-proto');
  return (forwarded ?? request.nextUrl.protocol.replace(':', '')).split(',')[0]?.trim() === 'https';
}

/** The cookie attributes of a session: unreadable by scripts, not sent by other sites' POSTs. */
export function sessionCookieOptions(request: NextRequest) {
  return {
    httpOnly: true,
    sameSite: 'lax' as const,
    secure: isHttps(request),
    path: '/',
    maxAge: Math.floor(SESSION_MAX_MS / 1000),
  };
}

/**
 * The caller's address for the sign-in limiter: X-Forwarded-For as the edge server (server.ts)
 * rewrote it, i.e. the TCP peer, or the client a configured proxy reported.
 */
export function clientAddress(request: NextRequest): string {
  return request.headers.get('x-forwarded-for')?.split(',')[0]?.trim() || 'unknown';
}

/**
 * The first operator, for installations started without the quickstart (docker compose):
 * the first request creates `admin` with a generated password, written (mode 0600) to
 * `initial-admin-password` beside the secret key file; the log names the file, never the
 * password. Delete the file after the first sign-in and password change.
 */
let adminReady: Promise<void> | undefined;

function ensureAdminOnce(): Promise<void> {
  adminReady ??= ensureAdminOperator(engine().db)
    .then((result) => {
      if (result.isCreated && result.isGenerated) {
        const file = path.join(
          path.dirname(engine().environment.TIDEWATER_SECRET_KEY_FILE),
          'initial-admin-password',
        );
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, `${result.password}\n`, { mode: 0o600 });
        log.warn(
          `Created the first operator "${result.username}"; its generated password is in ${file} (read it once, then delete the file).`,
        );
      }
    })
    .catch((error: unknown) => {
      adminReady = undefined;
      throw error;
    });
  return adminReady;
}

/** The principal of a route that is not public (apiRoute has already refused anonymous calls). */
export function signedIn(principal: Principal | null): Principal {
  if (!principal) throw unauthenticated();
  return principal;
}
