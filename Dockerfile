# syntax=docker/dockerfile:1
# One image for both processes of Tidewater: the console (web) and the worker.
#   docker build -t tidewater:local .
#   docker run tidewater:local                                   # web on :3000
#   docker run tidewater:local npm run start -w @tidewater/worker
# The packages are TypeScript consumed as source and the worker runs under tsx, so the
# runtime keeps the dev dependencies.

FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
# Prisma's engines need OpenSSL at generate time (npm ci's postinstall) and at run time.
RUN apt-get update \
  && apt-get install -y --no-install-recommends openssl ca-certificates \
  && rm -rf /var/lib/apt/lists/*
COPY . .
RUN npm ci --no-audit --no-fund
RUN npm run build -w @tidewater/web

FROM node:20-bookworm-slim AS runtime
WORKDIR /app
ENV NODE_ENV=production \
  NEXT_TELEMETRY_DISABLED=1 \
  TIDEWATER_SECRET_KEY_FILE=/var/lib/tidewater/secret.key
RUN apt-get update \
  && apt-get install -y --no-install-recommends openssl ca-certificates \
  && rm -rf /var/lib/apt/lists/* \
  && mkdir -p /var/lib/tidewater \
  && chown node:node /var/lib/tidewater
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 3000
CMD ["npm", "run", "start", "-w", "@tidewater/web"]
