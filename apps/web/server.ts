import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readEnvironment } from '@tidewater/config/environment';
import { createEngineContext, watchRedis, type EngineContext } from '@tidewater/engine';
import {
  answerOperations,
  checkReadiness,
  createMetricsRegistry,
  registerFleetMetrics,
  registerQueueMetrics,
  type OperationsEndpoints,
} from '@tidewater/engine/operations';
import { Counter } from 'prom-client';
import { DEFAULT_BODY_LIMIT_BYTES, isDeclaredTooLarge, requestTooLarge } from './lib/body-limit';
import {
  applyForwardedFacts,
  createProxyTrust,
  resolveForwarded,
  type ProxyTrust,
} from './lib/forwarded-headers';
import { log } from './lib/log';

/**
 * The console's HTTP server: Next.js behind a thin edge that knows the TCP peer.
 *
 *   node --import tsx server.ts [--port 3000] [--hostname 0.0.0.0] [--dev]
 *   node .next/standalone/apps/web/server.mjs [--port 3000] [--hostname 0.0.0.0]   (the build)
 *
 * Why not `next start`: it hides the peer address from the app and keeps a client's own
 * X-Forwarded-For, so nothing after it can tell a client's claim from a proxy's report. Here,
 * before Next sees a request:
 * - X-Forwarded-For/-Proto/-Host are replaced by what the peer and, only from a proxy listed
 *   in TIDEWATER_TRUSTED_PROXIES, its headers say (lib/forwarded-headers.ts);
 * - a page request declaring a body over 1 MiB is answered 413 (API routes apply their own
 *   limits in apiRoute; pages read no body);
 * - a connection whose request body was not read to the end (a refused upload) is closed
 *   once its answer is out, instead of waiting for the rest;
 * - GET /livez, /readyz and /metrics are answered here, without a session (a kubelet and a
 *   Prometheus scraper have none), like the worker's (see the README, "Operations").
 */

const { values: options } = parseArgs({
  options: {
    port: { type: 'string', short: 'p', default: process.env.PORT ?? '3000' },
    hostname: { type: 'string', short: 'H', default: process.env.HOSTNAME },
    dev: { type: 'boolean', default: false },
  },
});
const port = Number(options.port);
const environment = readEnvironment();
const isTrusted = createProxyTrust(environment.TIDEWATER_TRUSTED_PROXIES);
// As `next start`/`next dev` do; React and Next.js pick their builds from it when loaded.
Object.assign(process.env, { NODE_ENV: options.dev ? 'development' : 'production' });
const appDir = path.dirname(fileURLToPath(import.meta.url));
if (!options.dev) useStandaloneConfig(appDir);
const { default: next } = await import('next');
const app = next({
  dev: options.dev,
  dir: appDir,
  hostname: options.hostname ?? 'localhost',
  port,
});

/**
 * The production build runs this file bundled into Next's standalone output (`npm run build`,
 * build-server.mjs), where there is no next.config.ts and no TypeScript: like the server.js
 * Next writes there, it hands Next the configuration resolved at build time.
 */
function useStandaloneConfig(dir: string): void {
  const requiredServerFiles = path.join(dir, '.next', 'required-server-files.json');
  if (existsSync(path.join(dir, 'next.config.ts')) || !existsSync(requiredServerFiles)) return;
  const { config } = JSON.parse(readFileSync(requiredServerFiles, 'utf8')) as { config: unknown };
  process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(config);
  process.chdir(dir);
}

/**
 * The operations endpoints' own engine context (a small pool and a Redis connection), made at
 * the first probe or scrape: the pages' and routes' one lives inside Next.js.
 */
let operationsContext: EngineContext | undefined;
function contextForOperations(): EngineContext {
  if (operationsContext === undefined) {
    operationsContext = createEngineContext(environment);
    watchRedis(operationsContext.redis, 'operations', log);
  }
  return operationsContext;
}
const registry = createMetricsRegistry('web');
let isRegistered = false;
const requests = new Counter({
  name: 'tidewater_http_requests_total',
  help: 'HTTP requests the console answered, by method and status code.',
  labelNames: ['method', 'code'],
  registers: [registry],
});
const operations: OperationsEndpoints = {
  registry,
  metricsToken: environment.TIDEWATER_METRICS_TOKEN,
  log,
  readiness: () => checkReadiness(contextForOperations()),
};
function withFleetMetrics(): void {
  if (isRegistered) return;
  isRegistered = true;
  const context = contextForOperations();
  registerFleetMetrics(registry, context);
  registerQueueMetrics(registry, context.queues);
}

/** How long a refused upload may keep sending after its answer before the socket is cut. */
const LINGER_MS = 2_000;

function edge(handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>) {
  return (request: IncomingMessage, response: ServerResponse) => {
    rewriteForwarded(request, isTrusted);
    response.once('finish', () => {
      closeUnreadUpload(request);
      requests.inc({ method: methodLabel(request.method), code: String(response.statusCode) });
    });
    if ((request.url ?? '').split('?')[0] === '/metrics') withFleetMetrics();
    if (answerOperations(operations, request, response)) return;
    const isApi = (request.url ?? '').startsWith('/api/');
    if (!isApi && isDeclaredTooLarge(request.headers['content-length'], DEFAULT_BODY_LIMIT_BYTES)) {
      const error = requestTooLarge(DEFAULT_BODY_LIMIT_BYTES);
      response.writeHead(413, {
        'content-type': 'application/json',
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
        connection: 'close',
      });
      response.end(JSON.stringify({ error: error.toJSON() }));
      return;
    }
    handle(request, response).catch((error: unknown) => {
      log.error('The console failed to answer a request', {
        path: request.url?.split('?')[0],
        error: error instanceof Error ? error.message : String(error),
      });
      if (!response.headersSent) response.writeHead(500);
      response.end();
    });
  };
}

/** A method label from a closed set: a client's invented method does not make a new series. */
function methodLabel(method: string | undefined): string {
  return ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'].includes(method ?? '')
    ? method!
    : 'OTHER';
}

function rewriteForwarded(request: IncomingMessage, trust: ProxyTrust): void {
  const facts = resolveForwarded(
    {
      peerAddress: request.socket.remoteAddress,
      isEncrypted: Boolean((request.socket as TLSSocket).encrypted),
      headers: request.headers,
    },
    trust,
  );
  applyForwardedFacts(request.headers, facts);
}

function closeUnreadUpload(request: IncomingMessage): void {
  if (request.complete) return;
  const socket = request.socket;
  // Half-close after the answer, discard what is still in flight for a moment (closing with
  // unread data would reset the connection and could lose the answer), then cut it.
  socket.end();
  request.resume();
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}

await app.prepare();
const server = createServer(edge(app.getRequestHandler()));
server.listen(port, options.hostname, () => {
  log.info(
    `Tidewater console listening on ${options.hostname ?? '*'}:${port}${options.dev ? ' (development)' : ''}`,
    { trustedProxies: environment.TIDEWATER_TRUSTED_PROXIES },
  );
});

let isStopping = false;
function stop(signal: string): void {
  if (isStopping) return;
  isStopping = true;
  log.info(`Stopping the console (${signal}).`);
  setTimeout(() => process.exit(0), 10_000).unref();
  server.close(() => {
    Promise.all([app.close(), operationsContext?.close()]).then(
      () => process.exit(0),
      (error: unknown) => {
        log.error('Next.js did not close cleanly', {
          error: error instanceof Error ? error.message : String(error),
        });
        process.exit(1);
      },
    );
  });
  server.closeIdleConnections();
}
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));
