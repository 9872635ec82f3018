import 'server-only';
import { NextResponse, type NextRequest } from 'next/server';
import {
  isTidewaterError,
  TidewaterError,
  toTidewaterError,
  type ErrorCategory,
} from '@tidewater/errors';
import { engine } from './engine';
import { log } from './log';
import type { EngineContext } from '@tidewater/engine';
import { assertSameOrigin, authenticate, unauthenticated, type Principal } from './auth';
import {
  DEFAULT_BODY_LIMIT_BYTES,
  isDeclaredTooLarge,
  readBodyWithin,
  requestTooLarge,
} from './body-limit';

/**
 * Every API handler goes through `apiRoute`: one place for authentication, CSRF protection,
 * the request body limit, JSON parsing, and the translation of errors to HTTP responses. Error
 * bodies always have the shape `{ error: { code, message, remedy, details } }`; no stack traces
 * reach the client.
 *
 * Body limit (body-limit.ts): 1 MiB unless the route names more (`maxBodyBytes`). A declared
 * Content-Length over it is refused before authentication or anything else; a streamed body is
 * refused as soon as it passes the limit. Either way 413 REQUEST_TOO_LARGE.
 *
 * Authentication (see auth.ts): a session cookie or an API token, else 401 UNAUTHENTICATED.
 * The only routes open without either are listed in PUBLIC_ROUTES.
 */

/** Paths answered without a signed-in operator: signing in itself. */
const PUBLIC_ROUTES: ReadonlySet<string> = new Set(['/api/auth/sign-in']);

const STATUS_BY_CATEGORY: Record<ErrorCategory, number> = {
  invalid_input: 400,
  unauthorized: 401,
  not_found: 404,
  conflict: 409,
  unsupported: 422,
  unavailable: 503,
  internal: 500,
};

/** Codes whose HTTP status is more precise than their category's. */
const STATUS_BY_CODE: Record<string, number> = {
  CSRF_REJECTED: 403,
  REQUEST_TOO_LARGE: 413,
  SIGN_IN_RATE_LIMITED: 429,
};

export interface ApiContext {
  request: NextRequest;
  params: Record<string, string>;
  engine: EngineContext;
  /** Who is calling; null only on PUBLIC_ROUTES. */
  principal: Principal | null;
  /** The request body parsed as JSON; a clear 400 when it is not JSON. */
  json(): Promise<unknown>;
  /** Like json(), but an empty body is `{}`: for actions whose body is optional. */
  optionalJson(): Promise<unknown>;
}

type Handler = (context: ApiContext) => Promise<unknown>;

export function apiRoute(
  handler: Handler,
  options: { status?: number; maxBodyBytes?: number } = {},
) {
  const bodyLimit = options.maxBodyBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  return async (
    request: NextRequest,
    route: { params: Promise<Record<string, string>> },
  ): Promise<NextResponse> => {
    try {
      if (isDeclaredTooLarge(request.headers.get('content-length'), bodyLimit)) {
        throw requestTooLarge(bodyLimit);
      }
      const params = await route.params;
      const principal = await authenticate(request);
      if (!principal && !PUBLIC_ROUTES.has(request.nextUrl.pathname)) throw unauthenticated();
      if (principal?.via !== 'token') assertSameOrigin(request);
      const result = await handler({
        request,
        params,
        principal,
        engine: engine(),
        json: async () => {
          const text = await readBodyWithin(request.body, bodyLimit);
          try {
            return JSON.parse(text) as unknown;
          } catch (error) {
            throw invalidJson(error);
          }
        },
        optionalJson: async () => {
          const text = await readBodyWithin(request.body, bodyLimit);
          if (text.trim() === '') return {};
          try {
            return JSON.parse(text) as unknown;
          } catch (error) {
            throw invalidJson(error);
          }
        },
      });
      return NextResponse.json(result, { status: options.status ?? 200 });
    } catch (error) {
      const failure = toTidewaterError(error);
      if (!isTidewaterError(error) || failure.category === 'internal') {
        log.error('API request failed', {
          path: request.nextUrl.pathname,
          code: failure.code,
          error: failure.cause instanceof Error ? failure.cause.message : failure.message,
        });
      }
      return errorResponse(failure);
    }
  };
}

export function errorResponse(error: TidewaterError): NextResponse {
  const retryAfter = error.details.retryAfterSeconds;
  return NextResponse.json(
    { error: error.toJSON() },
    {
      status: STATUS_BY_CODE[error.code] ?? STATUS_BY_CATEGORY[error.category],
      headers: typeof retryAfter === 'number' ? { 'retry-after': String(retryAfter) } : undefined,
    },
  );
}

function invalidJson(cause: unknown): TidewaterError {
  return new TidewaterError('INVALID_JSON', 'The request body is not valid JSON.', {
    category: 'invalid_input',
    remedy: 'Send a JSON object with Content-Type: application/json.',
    cause,
  });
}
