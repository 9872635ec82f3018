# syntax=docker/dockerfile:1
# One image for every part of Tidewater; its first argument picks the part (docker/entrypoint.sh):
#   docker build -t tidewater:local .
#   docker run tidewater:local migrate     # apply the database migrations, then exit
#   docker run tidewater:local             # web: the console and HTTP API on :3000
#   docker run tidewater:local worker      # a worker (health and metrics on :9464)
# The build stage has the dev dependencies and runs `npm run build`; the runtime stage holds only
# what that produced: the console as Next.js standalone output (server bundle and the
# node_modules Next traced for it), the worker and migration runner as single bundles, and the
# migrations. No TypeScript, no tsx, no dev dependency.

FROM node:24-bookworm-slim AS build
# Built where it runs (/app), so the paths Next records at build time hold at run time.
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
# Prisma's engines need OpenSSL at generate time (npm ci's postinstall).
RUN apt-get update \
  && apt-get install -y --no-install-recommends openssl ca-certificates \
  && rm -rf /var/lib/apt/lists/*
COPY . .
RUN npm ci --no-audit --no-fund
RUN npm run build -w @tidewater/worker -w @tidewater/web
# /out is /app as the runtime sees it. The worker bundle sits three folders below /app, as
# packages/db/src does in the repository, so it finds /app/prisma/migrations.
RUN mkdir -p /out/apps/worker /out/prisma \
  && cp -a apps/web/.next/standalone/. /out/ \
  && cp -a apps/worker/dist /out/apps/worker/dist \
  && cp -a prisma/migrations /out/prisma/migrations \
  && install -m 0755 docker/entrypoint.sh /out/entrypoint.sh

FROM node:24-bookworm-slim AS runtime
# kafkajs 2.2.4 sets a timer from a negative delay; Node.js 24 clamps it to 1 ms as Node.js 20
# did, but now warns once per process: the warning is silenced, the behaviour is unchanged.
ENV NODE_OPTIONS=--disable-warning=TimeoutNegativeWarning \
  NODE_ENV=production \
  NEXT_TELEMETRY_DISABLED=1 \
  PORT=3000 \
  TIDEWATER_SECRET_KEY_FILE=/var/lib/tidewater/secret.key \
  TIDEWATER_WORKER_HTTP_HOST=0.0.0.0 \
  TIDEWATER_WORKER_HTTP_PORT=9464
# jemalloc, the worker's allocator (apps/worker/start.sh says why). Nothing else: Prisma runs
# through its PostgreSQL driver adapter (no native engine, no OpenSSL), and Node.js carries its
# own CA certificates.
RUN apt-get update \
  && apt-get install -y --no-install-recommends libjemalloc2 \
  && rm -rf /var/lib/apt/lists/* \
  && mkdir -p /var/lib/tidewater && chown node:node /var/lib/tidewater
# Owned by root and read-only to the process; it writes only /var/lib/tidewater (the secret
# key and the first password's file) and Next's cache.
COPY --from=build /out /app
RUN mkdir -p /app/apps/web/.next/cache && chown node:node /app/apps/web/.next/cache
WORKDIR /app
USER node
EXPOSE 3000 9464
ENTRYPOINT ["/app/entrypoint.sh"]
CMD ["web"]
