# syntax=docker/dockerfile:1
# One image for both processes of the gateway:
#   ingress (default CMD):  node dist/apps/ingress/apps/ingress/src/main.js
#   worker:                 node dist/apps/worker/apps/worker/src/main.js
# See docker-compose.yml for a full stack (Redis + ingress + N workers).

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- deps: every dependency, for the build --------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Install scripts are off, as package.json "allowScripts" intends (msgpackr-extract ships prebuilt binaries).
RUN npm ci --ignore-scripts --no-audit --no-fund

# ---- build: compile ingress and worker with `nest build` ------------------------------------
FROM deps AS build
COPY nest-cli.json tsconfig.json ./
COPY apps ./apps
COPY libs ./libs
RUN npm run build

# ---- runtime: production dependencies, compiled code, channel config -----------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    CHANNELS_FILE=/app/config/channels.yaml
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY config ./config
# Code and config stay owned by root and read-only for the process. A numeric user (the node
# image's `node`, uid/gid 1000), so Kubernetes' runAsNonRoot can verify it without /etc/passwd.
USER 1000:1000
# 3000: the ingress webhooks, console and probes; 9464: /metrics of either process (METRICS_PORT), and the worker's probes.
EXPOSE 3000 9464
CMD ["node", "dist/apps/ingress/apps/ingress/src/main.js"]
