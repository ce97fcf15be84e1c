# syntax=docker/dockerfile:1.7
# VegShare migrations: `db-migrate` Job (tools/src/migrate-cli.ts) and the `await-migrations` initContainers.
# Build from the repository root (Docker is not available on the development machines; CI lints this file):
#   docker build -f docker/migrate.Dockerfile -t vegshare/migrate:<tag> .
# Stages: deps (npm ci of the whole workspace, no install scripts) → build (generated code, where needed) → prod
# (npm ci --omit=dev pruned to the workspaces this image runs) → runtime (non-root, sources + pruned node_modules, tsx).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
COPY package.json package-lock.json ./
COPY packages/kit/package.json packages/kit/
COPY packages/demo/package.json packages/demo/
COPY tools/package.json tools/
COPY gateway/package.json gateway/
COPY subgraphs/auth/package.json subgraphs/auth/
COPY subgraphs/user/package.json subgraphs/user/
COPY subgraphs/farm/package.json subgraphs/farm/
COPY subgraphs/streaming/package.json subgraphs/streaming/
COPY subgraphs/transcoding/package.json subgraphs/transcoding/
COPY subgraphs/payment/package.json subgraphs/payment/
# Install scripts stay off, as on the development machines: Prisma's client is generated offline below.
RUN npm ci --ignore-scripts

FROM node:20-bookworm-slim AS prod
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
COPY package.json package-lock.json ./
COPY packages/kit/package.json packages/kit/
COPY packages/demo/package.json packages/demo/
COPY tools/package.json tools/
COPY gateway/package.json gateway/
COPY subgraphs/auth/package.json subgraphs/auth/
COPY subgraphs/user/package.json subgraphs/user/
COPY subgraphs/farm/package.json subgraphs/farm/
COPY subgraphs/streaming/package.json subgraphs/streaming/
COPY subgraphs/transcoding/package.json subgraphs/transcoding/
COPY subgraphs/payment/package.json subgraphs/payment/
RUN npm ci --omit=dev --ignore-scripts --workspace @vegshare/kit --workspace @vegshare/tools --include-workspace-root \
  && npm cache clean --force

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
RUN groupadd --system --gid 10001 vegshare \
  && useradd --system --uid 10001 --gid vegshare --no-create-home --shell /usr/sbin/nologin vegshare
WORKDIR /app
COPY --from=prod /app ./
COPY --from=deps /app/node_modules/tsx node_modules/tsx
COPY --from=deps /app/node_modules/esbuild node_modules/esbuild
COPY --from=deps /app/node_modules/@esbuild node_modules/@esbuild
COPY tsconfig.base.json rover.yaml ./
COPY packages/kit packages/kit
COPY packages/demo packages/demo
COPY tools/src tools/src
COPY subgraphs/auth/prisma/migrations subgraphs/auth/prisma/migrations
COPY subgraphs/user/prisma/migrations subgraphs/user/prisma/migrations
COPY subgraphs/farm/prisma/migrations subgraphs/farm/prisma/migrations
COPY subgraphs/streaming/prisma/migrations subgraphs/streaming/prisma/migrations
COPY subgraphs/transcoding/prisma/migrations subgraphs/transcoding/prisma/migrations
COPY subgraphs/payment/prisma/migrations subgraphs/payment/prisma/migrations
USER 10001:10001
# A one-shot process: no endpoint to check.
HEALTHCHECK NONE
CMD ["node", "--import", "tsx", "tools/src/migrate-cli.ts"]
