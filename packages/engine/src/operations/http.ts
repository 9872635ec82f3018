import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { TidewaterError } from '@tidewater/errors';
import type { Logger } from '../log';
import type { Readiness } from './readiness';

/**
 * The operations endpoints, the same on the web app and the worker:
 * - `GET /livez`: 200 while the process can answer at all (no dependency is asked: a
 *   restart does not bring PostgreSQL back);
 * - `GET /readyz`: 200 when its dependencies answer, else 503; the body names each one
 *   (`{ isReady, checks: [{ name, isUp, detail, latencyMs }] }`), never a secret;
 * - `GET /metrics`: Prometheus text. When a metrics token is set, only with
 *   `Authorization: Bearer <token>` (401 otherwise); the probes never need one.
 * No cookies, no sessions: a kubelet and a Prometheus scraper call them as they are.
 */
export interface OperationsEndpoints {
  registry: Registry;
  readiness(): Promise<Readiness>;
  metricsToken?: string;
  log: Logger;
}

export const OPERATIONS_PATHS: ReadonlySet<string> = new Set(['/livez', '/readyz', '/metrics']);

/** Answers an operations path and returns true; returns false for any other path. */
export function answerOperations(
  endpoints: OperationsEndpoints,
  request: IncomingMessage,
  response: ServerResponse,
): boolean {
  const path = (request.url ?? '/').split('?')[0]!;
  if (!OPERATIONS_PATHS.has(path)) return false;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    send(response, 405, { error: 'Use GET.' }, { allow: 'GET, HEAD' });
    return true;
  }
  answer(endpoints, path, request).then(
    ({ status, body, contentType }) =>
      send(response, status, body, { 'content-type': contentType }),
    (error: unknown) => {
      endpoints.log.error('operations endpoint failed', {
        path,
        error: error instanceof Error ? error.message : String(error),
      });
      send(response, 500, { error: 'The figures could not be collected.' });
    },
  );
  return true;
}

async function answer(
  endpoints: OperationsEndpoints,
  path: string,
  request: IncomingMessage,
): Promise<{ status: number; body: unknown; contentType: string }> {
  const json = 'application/json; charset=utf-8';
  switch (path) {
    case '/livez':
      return { status: 200, body: { isAlive: true }, contentType: json };
    case '/readyz': {
      const readiness = await endpoints.readiness();
      return { status: readiness.isReady ? 200 : 503, body: readiness, contentType: json };
    }
    default: {
      if (endpoints.metricsToken && !hasToken(request, endpoints.metricsToken)) {
        return {
          status: 401,
          body: {
            error: 'Send the metrics token: Authorization: Bearer <TIDEWATER_METRICS_TOKEN>.',
          },
          contentType: json,
        };
      }
      return {
        status: 200,
        body: await endpoints.registry.metrics(),
        contentType: endpoints.registry.contentType,
      };
    }
  }
}

function hasToken(request: IncomingMessage, token: string): boolean {
  const header = request.headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) return false;
  // Equal-length digests: the comparison takes the same time whatever was sent.
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(match[1]!), digest(token));
}

function send(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    ...headers,
  });
  response.end(response.req.method === 'HEAD' ? undefined : text);
}

/** The worker's small HTTP server: the operations endpoints and a 404 for anything else. */
export async function startOperationsServer(
  endpoints: OperationsEndpoints,
  address: { host: string; port: number },
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    if (!answerOperations(endpoints, request, response)) {
      send(response, 404, { error: 'Not found: GET /livez, /readyz or /metrics.' });
    }
  });
  // Probes and scrapes are small: a slow or silent client does not hold a socket for long.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE' || error.code === 'EACCES'
          ? new TidewaterError(
              'WORKER_HTTP_PORT_UNAVAILABLE',
              `The worker cannot listen on ${address.host}:${address.port} for /livez, /readyz and /metrics (${error.code}).`,
              {
                category: 'invalid_input',
                remedy:
                  'Give each worker on one host its own TIDEWATER_WORKER_HTTP_PORT (0 picks a free one), or stop what holds the port.',
              },
            )
          : error,
      ),
    );
    server.listen(address.port, address.host, () => resolve());
  });
  const bound = server.address();
  return {
    server,
    port: typeof bound === 'object' && bound ? bound.port : address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
