# syntax=docker/dockerfile:1
# Builds the three Lens binaries and the web app into one small image.
# Run each process from it with its command: lens-server, lens-web, lens-discord.

FROM node:20-bookworm-slim AS frontend
WORKDIR /src
COPY proto ./proto
COPY buf.yaml ./
COPY web_frontend ./web_frontend
WORKDIR /src/web_frontend
# What the browser reports is fixed at build time (docs/configuration.md,
# "Web app: error reports and analytics"); each is off when left empty.
ARG VITE_SENTRY_DSN= \
    VITE_SENTRY_ENVIRONMENT= \
    VITE_SENTRY_RELEASE= \
    VITE_SENTRY_TRACES_SAMPLE_RATE= \
    VITE_SENTRY_REPLAYS_SAMPLE_RATE= \
    VITE_POSTHOG_KEY= \
    SENTRY_ORG= \
    SENTRY_PROJECT= \
    SENTRY_URL=
# The build generates the grpc-web clients from proto/ and writes .br/.gz
# beside each file, which lens-web serves to browsers that accept them. With
# a `sentry_auth_token` build secret it uploads the source maps to Sentry and
# leaves them out of the image; the token never enters a layer.
RUN --mount=type=secret,id=sentry_auth_token,required=false \
    npm ci --no-audit --no-fund \
 && SENTRY_AUTH_TOKEN="$(cat /run/secrets/sentry_auth_token 2>/dev/null || true)" npm run build

FROM rust:1.95-bookworm AS backend
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin lens-server --bin lens-web --bin lens-discord

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /app lens
WORKDIR /app
COPY --from=backend /src/target/release/lens-server /src/target/release/lens-web /src/target/release/lens-discord /usr/local/bin/
COPY --from=frontend /src/web_frontend/dist /app/web_frontend/dist
USER lens
# lens-web binds 0.0.0.0:$PORT when the platform sets PORT (or set LENS_WEB_ADDR).
# The core listens on loopback: it speaks plaintext gRPC unless LENS_TLS_CERT
# and LENS_TLS_KEY are set, so exposing it (LENS_GRPC_ADDR=0.0.0.0:50051) is
# for a private network between the processes, or with TLS.
ENV LENS_GRPC_ADDR=127.0.0.1:50051 \
    LENS_STATIC_DIR=/app/web_frontend/dist \
    LOG_FORMAT=json
EXPOSE 50051 8000
CMD ["lens-server"]
