import type { NextConfig } from 'next';
import path from 'node:path';
import {
  API_CONTENT_SECURITY_POLICY,
  COMMON_SECURITY_HEADERS,
  STRICT_TRANSPORT_SECURITY,
} from './lib/security-headers';

const repoRoot = path.resolve(import.meta.dirname, '../..');

const config: NextConfig = {
  // Workspace packages are TypeScript sources; Next compiles them with the app.
  transpilePackages: [
    '@tidewater/config',
    '@tidewater/db',
    '@tidewater/engine',
    '@tidewater/errors',
    '@tidewater/change-events',
    '@tidewater/formats',
    '@tidewater/kafka-sink',
    '@tidewater/mysql-source',
  ],
  // Node-only drivers stay as runtime requires instead of being bundled.
  serverExternalPackages: [
    'kafkajs',
    '@platformatic/kafka',
    'mysql2',
    'bullmq',
    'ioredis',
    'pg',
    '@prisma/adapter-pg',
    'avsc',
  ],
  turbopack: { root: repoRoot },
  // The production image runs .next/standalone: the server files and the node_modules they
  // trace, from the repository root (server.ts, bundled by build-server.mjs, starts it).
  output: 'standalone',
  outputFileTracingRoot: repoRoot,
  poweredByHeader: false,
  reactStrictMode: true,
  experimental: {
    // The proxy (proxy.ts) runs on pages only, which read no body; what it may buffer of one
    // is bounded like every route's body (lib/body-limit.ts).
    proxyClientMaxBodySize: '1mb',
  },
  // Security headers (lib/security-headers.ts). Pages get their CSP, with a nonce, from
  // proxy.ts. X-Forwarded-Proto is what server.ts established (the socket, or a configured
  // proxy), so HSTS goes only to clients that really came over https.
  async headers() {
    return [
      { source: '/:path*', headers: [...COMMON_SECURITY_HEADERS] },
      {
        source: '/api/:path*',
        headers: [{ key: 'Content-Security-Policy', value: API_CONTENT_SECURITY_POLICY }],
      },
      {
        source: '/:path*',
        has: [{ type: 'header', key: 'x-forwarded-proto', value: 'https' }],
        headers: [{ key: 'Strict-Transport-Security', value: STRICT_TRANSPORT_SECURITY }],
      },
    ];
  },
};

export default config;
