# syntax=docker/dockerfile:1.7
# Every VegShare image, selected by build argument. Build from the repository root (Docker is not available on the
# development machines; tools/test/dockerfile.test.ts lints this file):
#   docker build --build-arg SERVICE=farm -t vegshare/farm:<tag> .
# SERVICE is one of
#   gateway auth user farm streaming transcoding payment   an HTTP service (GraphQL, /health, /ready)
#   transcoding-worker   the transcoding code with Debian's ffmpeg, running src/worker-main.ts (no HTTP endpoint)
#   migrate              tools/ and every subgraph's migrations: the db-migrate Job and the await-migrations
#                        initContainers (tools/src/await-migrations.ts)
# Stages: manifests (every workspace's package.json) → deps (npm ci of the whole workspace, no install scripts) → build
# (generated code; the service's runtime files staged under /stage) → prod (manifests again: npm ci --omit=dev pruned
# to the service's workspaces) → runtime (non-root, tsx). The stages that depend on SERVICE declare it.

# The workspace's manifests, what both installs below start from.
FROM node:20-bookworm-slim AS manifests
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
COPY package.json package-lock.json ./
COPY packages/kit/package.json packages/kit/
COPY packages/demo/package.json packages/demo/
COPY tools/package.json tools/
COPY gateway/package.json gateway/
COPY security/package.json security/
COPY subgraphs/auth/package.json subgraphs/auth/
COPY subgraphs/user/package.json subgraphs/user/
COPY subgraphs/farm/package.json subgraphs/farm/
COPY subgraphs/streaming/package.json subgraphs/streaming/
COPY subgraphs/transcoding/package.json subgraphs/transcoding/
COPY subgraphs/payment/package.json subgraphs/payment/

FROM manifests AS deps
# Install scripts stay off, as on the development machines: Prisma's client is generated offline below.
RUN npm ci --ignore-scripts

FROM deps AS build
ARG SERVICE
COPY tsconfig.base.json rover.yaml ./
COPY packages/kit packages/kit
COPY packages/demo packages/demo
COPY tools/src tools/src
COPY gateway gateway
COPY schema schema
COPY subgraphs subgraphs
# What each SERVICE generates, which files its runtime needs (staged under /stage at their repository paths), its
# entry point (/stage/service/main.ts, a link) and the port its /health answers on (/stage/service/port: the default
# PORT of its env.ts, the port of its routing URL in rover.yaml; tools/test/dockerfile.test.ts checks they agree).
RUN set -eu; \
  sub="subgraphs/${SERVICE}"; \
  case "${SERVICE}" in \
    gateway) \
      node --import tsx gateway/explorer/build.ts; \
      files="gateway/tsconfig.json gateway/src gateway/explorer/dist gateway/persisted-operations.json schema/supergraph.graphql"; \
      entry=gateway/src/main.ts; port=4000 ;; \
    auth|user|farm|streaming|transcoding|payment) \
      node --import tsx tools/src/prisma-generate.ts; \
      files="${sub}/tsconfig.json ${sub}/schema.graphql ${sub}/src"; \
      entry="${sub}/src/main.ts"; \
      case "${SERVICE}" in auth) port=4001 ;; user) port=4002 ;; farm) port=4003 ;; streaming) port=4004 ;; \
        transcoding) port=4005 ;; payment) port=4006 ;; esac ;; \
    transcoding-worker) \
      node --import tsx tools/src/prisma-generate.ts; \
      files="subgraphs/transcoding/tsconfig.json subgraphs/transcoding/schema.graphql subgraphs/transcoding/src"; \
      entry=subgraphs/transcoding/src/worker-main.ts; port= ;; \
    migrate) \
      files="tools/src subgraphs/auth/prisma/migrations subgraphs/user/prisma/migrations subgraphs/farm/prisma/migrations subgraphs/streaming/prisma/migrations subgraphs/transcoding/prisma/migrations subgraphs/payment/prisma/migrations"; \
      entry=tools/src/migrate-cli.ts; port= ;; \
    *) echo "SERVICE must be gateway, auth, user, farm, streaming, transcoding, payment, transcoding-worker or migrate (got '${SERVICE}')" >&2; exit 1 ;; \
  esac; \
  mkdir -p /stage/service; \
  cp -a --parents ${files} /stage/; \
  ln -s "../${entry}" /stage/service/main.ts; \
  if [ -n "${port}" ]; then printf '%s' "${port}" > /stage/service/port; fi

FROM manifests AS prod
ARG SERVICE
# The workspace whose production dependencies the image carries (with the kit's and the root's).
RUN set -eu; \
  case "${SERVICE}" in \
    transcoding-worker) workspace=transcoding ;; \
    migrate) workspace=tools ;; \
    *) workspace="${SERVICE}" ;; \
  esac; \
  npm ci --omit=dev --ignore-scripts --workspace @vegshare/kit --workspace "@vegshare/${workspace}" --include-workspace-root; \
  npm cache clean --force

FROM node:20-bookworm-slim AS runtime
ARG SERVICE
ENV NODE_ENV=production
# The transcoding worker runs Debian's ffmpeg and ffprobe (bookworm: 5.1), found on PATH.
RUN if [ "${SERVICE}" = transcoding-worker ]; then \
    apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg=7:5.1.* \
    && rm -rf /var/lib/apt/lists/*; \
  fi
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
# The service's sources (with generated code), its entry point and port.
COPY --from=build /stage/ ./
USER 10001:10001
# Liveness for plain Docker (Kubernetes uses its own probes): /health answers while an HTTP service runs. The worker
# and the migrations have no HTTP endpoint (no port file): their check passes while the process runs.
HEALTHCHECK --interval=15s --timeout=3s --retries=5 \
  CMD ["node", "-e", "const fs = require('node:fs'); const f = '/app/service/port'; if (!fs.existsSync(f)) process.exit(0); fetch('http://127.0.0.1:' + (process.env.PORT || fs.readFileSync(f, 'utf8')) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
# service/main.ts links to the entry of SERVICE (e.g. subgraphs/farm/src/main.ts); Node runs its real path.
CMD ["node", "--import", "tsx", "service/main.ts"]
