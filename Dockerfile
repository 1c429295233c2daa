# syntax=docker/dockerfile:1
# joe in a container, running `joe serve` by default. How to run it, with compose, systemd or
# Kubernetes: docs/operations.md.
#
#   docker build -t joe .
#   docker run --rm -p 8787:8787 -v "$PWD:/project:ro" -e JOE_STORE_URL -e JOE_WRITE_KEY joe \
#     serve --env prod --role all --host 0.0.0.0 --port 8787
#
# The image runs the joe project mounted (or copied) at /project: its joe.config.yaml, journeys and
# templates. Secrets come from environment variables (`${VAR}` in joe.config.yaml).
#
# Stages: `build` installs every dependency and builds exactly as `npm test` does (npm install,
# npm run build); `deps` installs the production dependencies alone, compiling better-sqlite3 for the
# runtime's Node.js and libc; `runtime` holds those, the build output and the files the npm package
# ships (package.json "files"), and runs as the unprivileged `node` user.

ARG NODE_VERSION=22

FROM node:${NODE_VERSION}-bookworm-slim AS toolchain
# better-sqlite3 is a native module: where no prebuilt binary fits, npm compiles it.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app

FROM toolchain AS build
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build-validators.js scripts/bundle-commands.js ./scripts/
COPY schemas ./schemas
COPY src ./src
RUN npm run build

FROM toolchain AS deps
COPY package.json package-lock.json ./
RUN npm install --omit=dev --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY docs ./docs
COPY examples ./examples
COPY schemas ./schemas
COPY templates ./templates
COPY --from=build /app/dist ./dist
COPY --from=build /app/oclif.manifest.json ./
COPY deploy/docker/healthcheck.mjs ./deploy/docker/
# An embedded (SQLite) store needs a writable folder: `store: sqlite:/var/lib/joe/prod.db`, with a
# volume mounted there. A PostgreSQL store needs none: the container may run read-only.
RUN mkdir -p /var/lib/joe /project && chown node:node /var/lib/joe
USER node
WORKDIR /project
EXPOSE 8787
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "/app/deploy/docker/healthcheck.mjs", "http://127.0.0.1:8787/readyz"]
ENTRYPOINT ["node", "/app/bin/run.js"]
CMD ["serve", "--env", "prod", "--role", "all", "--host", "0.0.0.0", "--port", "8787"]
