# patchctl controller image: `patchctl watch` keeps an account converged with a git branch.
# Multi-stage: the build stage compiles TypeScript; the runtime stage has production
# dependencies only, git, tini as init (signals reach node; zombies are reaped), and runs
# as a non-root user.

FROM node:22-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY cmd ./cmd
COPY src ./src
COPY bench ./bench
RUN npx tsc -p tsconfig.json

FROM node:22-bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends git tini ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system patchctl && useradd --system --gid patchctl --create-home --home-dir /home/patchctl patchctl
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY schemas ./schemas
COPY policies ./policies
USER patchctl
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:8080/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/dist/cmd/patchctl.js"]
CMD ["watch", "--listen", ":8080"]
