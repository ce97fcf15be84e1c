# syntax=docker/dockerfile:1.7
# VegShare transcoding worker: ffmpeg processes taking jobs from the BullMQ queue in Redis.
# Build from the repository root (Docker is not available on the development machines; CI lints this file):
#   docker build -f docker/transcoding-worker.Dockerfile -t vegshare/transcoding-worker:<tag> .
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

FROM deps AS build
COPY tsconfig.base.json rover.yaml ./
COPY packages/kit packages/kit
COPY packages/demo packages/demo
COPY tools/src tools/src
COPY subgraphs/transcoding subgraphs/transcoding
# Prisma client (engineType client: no engine binary at run time), generated offline.
RUN node --import tsx tools/src/prisma-generate.ts

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
RUN npm ci --omit=dev --ignore-scripts --workspace @vegshare/kit --workspace @vegshare/transcoding --include-workspace-root \
  && npm cache clean --force

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=4005
# ffmpeg and ffprobe from Debian (bookworm: 5.1).
RUN apt-get update \
  && apt-get install -y --no-install-recommends ffmpeg=7:5.1.* \
  && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 vegshare \
  && useradd --system --uid 10001 --gid vegshare --no-create-home --shell /usr/sbin/nologin vegshare
WORKDIR /app
COPY --from=prod /app ./
# tsx runs the TypeScript sources (it and esbuild are dev dependencies of the workspace root).
COPY --from=deps /app/node_modules/tsx node_modules/tsx
COPY --from=deps /app/node_modules/esbuild node_modules/esbuild
COPY --from=deps /app/node_modules/@esbuild node_modules/@esbuild
COPY tsconfig.base.json rover.yaml ./
COPY packages/kit packages/kit
COPY packages/demo packages/demo
COPY subgraphs/transcoding/schema.graphql subgraphs/transcoding/tsconfig.json subgraphs/transcoding/
# Sources with the generated Prisma client.
COPY --from=build /app/subgraphs/transcoding/src subgraphs/transcoding/src
ENV FFMPEG_PATH=/usr/bin/ffmpeg FFPROBE_PATH=/usr/bin/ffprobe WORK_DIR=/work
RUN mkdir -p /work && chown vegshare:vegshare /work
USER 10001:10001
# No HTTP endpoint in a worker process: Kubernetes watches it through the queue (stalled-job recovery) instead.
HEALTHCHECK NONE
STOPSIGNAL SIGTERM
CMD ["node", "--import", "tsx", "subgraphs/transcoding/src/worker-main.ts"]
