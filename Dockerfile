# Production image of the order service (docs/containers.md explains every choice here).
#
#   docker build -t order-service .                  (or `make image`)
#   docker run --rm order-service migrate            (admin processes: same image, same code)
#
# Five stages, so the runtime image holds only dist/, migrations/, production dependencies and
# their SBOM:
#   deps       all dependencies (the TypeScript compiler included), cached on the lockfile
#   build      src/ -> dist/
#   sbom       CycloneDX SBOM of the production dependencies (`npm run sbom`, as `make sbom`)
#   prod-deps  `npm ci --omit=dev`, cached on the lockfile
#   runtime    distroless Node 24: no shell, no package manager, numeric non-root user
#
# Needs BuildKit (docker build's default since Docker 23): npm's download cache is a cache
# mount, kept between builds but never in a layer, so a lockfile change downloads only the
# packages that changed. The lockfile is copied before the sources, so editing src/ reuses
# both `npm ci` layers. No `# syntax=` line: the built-in frontend has RUN --mount, and a
# syntax image would be pulled from a registry on every cold build.

# The node image that installs and compiles; its major must match the runtime's.
ARG BUILD_IMAGE=node:24-bookworm-slim
# Swap in node:24-bookworm-slim for a debug build that has a shell (same entry point).
ARG RUNTIME_IMAGE=gcr.io/distroless/nodejs24-debian12

FROM ${BUILD_IMAGE} AS deps
# Only the build stages see these: quiet npm, no update check against the registry, and the
# download cache in the cache mount below.
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false \
    NPM_CONFIG_CACHE=/var/cache/npm
WORKDIR /app
COPY package.json package-lock.json ./
# One cache for both installs (they may run at once: npm's cache is safe for that).
RUN --mount=type=cache,id=order-service-npm,target=/var/cache/npm npm ci

FROM deps AS build
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# Source maps point at src/, which the image does not ship: leave them out.
RUN npm run build && find dist -name '*.map' -delete
# An empty LOG_FILE directory for the runtime stage (which has no shell to make one).
RUN mkdir -p /out/var/log/app

# What the image ships, from the lockfile (reproducible: no timestamp or serial number, so the
# layer stays cached until the lockfile changes).
FROM deps AS sbom
RUN npm run sbom

FROM ${BUILD_IMAGE} AS prod-deps
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false \
    NPM_CONFIG_CACHE=/var/cache/npm
WORKDIR /app
COPY package.json package-lock.json ./
# Type declarations, source maps and docs are never loaded at run time (licences stay).
RUN --mount=type=cache,id=order-service-npm,target=/var/cache/npm npm ci --omit=dev \
 && find node_modules -type f \( -name '*.d.ts' -o -name '*.d.cts' -o -name '*.d.mts' \
      -o -name '*.map' -o \( -name '*.md' ! -iname 'licen[cs]e*' \) \) -delete

FROM ${RUNTIME_IMAGE} AS runtime
# Distroless keeps node in /nodejs/bin, off the PATH: put it on, so `node` resolves the same in
# this image, in the slim debug build and in Kubernetes `command: [node, ...]`.
ENV PATH=/nodejs/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    NODE_ENV=production
WORKDIR /app
# Owned by root and not writable by the app's user: the code cannot be changed at run time.
COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json ./
COPY migrations ./migrations
COPY --from=build /app/dist ./dist
# The SBOM of exactly these node_modules: docker cp "$(docker create IMAGE)":/app/sbom.cdx.json .
COPY --from=sbom /app/sbom.cdx.json ./sbom.cdx.json
# LOG_FILE's directory (k8s/components/log-shipping), owned by the app's user: a named volume
# mounted there starts with this owner, so the app writes its log copy without being root.
COPY --from=build --chown=10001:10001 /out/var/log/app /var/log/app
# Numeric, so Kubernetes' runAsNonRoot can verify it without an /etc/passwd entry.
USER 10001:10001
EXPOSE 8000
# For docker and compose only (Kubernetes ignores it and uses its own probes). No shell or curl
# here: node's fetch asks the readiness probe on $PORT.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node is PID 1 and handles SIGTERM itself (src/lifecycle/graceful-shutdown.ts); it starts no
# child processes, so there are no zombies to reap and no need for tini. The OpenTelemetry
# preload (src/telemetry.ts) runs before dist/cli.js loads anything it instruments, for every
# command: serve, migrate, reconcile, loadgen and the fakes. Kubernetes sets only `args`.
# --max-semi-space-size=8: V8's young generation at 8 MB a semi-space. Left to size itself it
# grew to 16-32 MB a semi-space under load, for 196-244 MB of RSS where 8 MB gives 143 MB at
# the same req/s (docs/benchmarks.md); npm start and the bench use the same flags.
ENTRYPOINT ["node", "--max-semi-space-size=8", "--require", "./dist/telemetry.js", "dist/cli.js"]
CMD ["serve"]

# Last, so a new commit only changes the image config, never a cached layer.
ARG VERSION=0.0.0-dev
ARG REVISION=unknown
ARG SOURCE=https://github.com/example/order-service
ARG CREATED=1970-01-01T00:00:00Z
LABEL org.opencontainers.image.title="order-service" \
      org.opencontainers.image.description="Twelve-factor TypeScript order service" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.created="${CREATED}"
