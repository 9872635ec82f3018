import type { NextConfig } from 'next';
import path from 'node:path';

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
    'mysql2',
    'bullmq',
    'ioredis',
    'pg',
    '@prisma/adapter-pg',
    'avsc',
  ],
  turbopack: { root: path.resolve(import.meta.dirname, '../..') },
  poweredByHeader: false,
  reactStrictMode: true,
  experimental: {
    // The proxy (proxy.ts) runs on pages only, which read no body; what it may buffer of one
    // is bounded like every route's body (lib/body-limit.ts).
    proxyClientMaxBodySize: '1mb',
  },
};

export default config;
