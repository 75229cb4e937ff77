# Builds the three Lens binaries and the web app into one small image.
# Run each process from it with its command: lens-server, lens-web, lens-discord.

FROM node:20-bookworm-slim AS frontend
WORKDIR /src
COPY proto ./proto
COPY buf.yaml ./
COPY web_frontend ./web_frontend
WORKDIR /src/web_frontend
# The build generates the grpc-web clients from proto/ and writes .br/.gz
# beside each file, which lens-web serves to browsers that accept them.
RUN npm ci --no-audit --no-fund && npm run build

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
