# syntax=docker/dockerfile:1
# Paved: production image. `docker compose up` builds it (see docker-compose.yml and README.md).
#
#   deps    → npm ci (also generates the Prisma client through the postinstall script)
#   build   → npm run build (next build, stamped so the launcher knows the build is current),
#             then drop devDependencies
#   runtime → the same launcher as `npm start` (scripts/start.ts via tsx): migrate, seed the demo
#             organisation when sandbox mode is on, start the web server and the job worker.
#
# Configuration is the environment (README.md, "Configuration"). Without DATABASE_URL the launcher
# opens the embedded database in /app/.data, which is why that folder is a volume.

FROM node:20-bookworm-slim AS base
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_audit=false

# ── dependencies: only what `npm ci` and its postinstall (prisma generate) read, for layer caching
FROM base AS deps
COPY package.json package-lock.json prisma.config.ts ./
COPY scripts/generate-prisma.mjs ./scripts/
COPY prisma/schema.prisma ./prisma/
RUN npm ci

# ── build
FROM base AS build
COPY --from=deps /app/node_modules ./node_modules
COPY . .
# Regenerate the Prisma client from the full sources (the context never carries a local copy: see
# .dockerignore), build, then keep only runtime dependencies. The launcher's build check covers
# app/, components/, lib/, public/ and the config files, all copied unchanged into the runtime
# stage, so `npm start` there finds the build current and never rebuilds.
RUN npm run db:generate \
 && npm run build \
 && npm prune --omit=dev \
 && rm -rf .next/cache

# ── runtime
FROM base AS runtime
# git: the sandbox's repositories are real git repositories (lib/integrations/localgit).
RUN apt-get update \
 && apt-get install -y --no-install-recommends git \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    PORT=3000 \
    PAVED_DATA_DIR=/app/.data
# Application files stay owned by root (read-only to the app); the app writes only to .next
# (Next's caches) and to the data folder.
COPY --from=build /app ./
RUN mkdir -p /app/.data /app/.next/cache \
 && chown -R node:node /app/.data /app/.next
USER node
VOLUME ["/app/.data"]
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# `npm start` without npm in between: node runs the launcher itself, so SIGTERM from
# `docker stop` reaches its handler, which stops the worker, the web server and the database in order.
CMD ["node", "--import", "tsx", "scripts/start.ts"]
