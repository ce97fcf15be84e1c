# syntax=docker/dockerfile:1.7
# VegShare streaming subgraph on :4004.
# Build from the repository root (Docker is not available on the development machines; CI lints this file):
#   docker build -f docker/streaming.Dockerfile -t vegshare/streaming:<tag> .
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
COPY subgraphs/streaming subgraphs/streaming
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
RUN npm ci --omit=dev --ignore-scripts --workspace @vegshare/kit --workspace @vegshare/streaming --include-workspace-root \
  && npm cache clean --force

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production PORT=4004
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
COPY subgraphs/streaming/schema.graphql subgraphs/streaming/tsconfig.json subgraphs/streaming/
# Sources with the generated Prisma client.
COPY --from=build /app/subgraphs/streaming/src subgraphs/streaming/src
USER 10001:10001
EXPOSE 4004
# Liveness: /health answers while the process runs (Kubernetes uses its own probes; this is for plain Docker).
HEALTHCHECK --interval=15s --timeout=3s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "--import", "tsx", "subgraphs/streaming/src/main.ts"]
