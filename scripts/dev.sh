#!/usr/bin/env bash
# Starts the whole platform locally on embedded defaults: the core on a
# SQLite file (lens.db), the web edge on http://127.0.0.1:8000, and the
# Discord bot when DISCORD_BOT_TOKEN is configured. Ctrl-C stops everything.
#
# Integrations switch on when their variables are set in the environment,
# .env.local or .env (see docs/configuration.md).
set -euo pipefail
cd "$(dirname "$0")/.."

state=target/lens-dev
mkdir -p "$state"

has_var() { [ -n "${!1:-}" ] || grep -qs "^$1=" .env.local .env; }

# A signing secret for this checkout, kept across runs so sessions survive
# restarts. Set JWT_SECRET yourself to use another.
if ! has_var JWT_SECRET; then
  [ -s "$state/jwt_secret" ] || od -An -tx1 -N32 /dev/urandom | tr -d ' \n' > "$state/jwt_secret"
  JWT_SECRET=$(cat "$state/jwt_secret")
  export JWT_SECRET
fi
# Course content, unless a source is configured (CONTENT_DIR or CONTENT_REPO):
# the content repository's snapshot beside this one when there is one; else
# the default GitHub repository when GitHub answers; else the sample course
# bundled in content/sample, so a newcomer always sees a course.
if ! has_var CONTENT_DIR && ! has_var CONTENT_REPO; then
  if [ -d ../shared/fixtures/lens-edu-relay ]; then
    CONTENT_DIR=$(cd ../shared/fixtures/lens-edu-relay && pwd)
    echo "==> content: the snapshot in $CONTENT_DIR"
  elif command -v curl >/dev/null && curl -fsS --max-time 5 -o /dev/null "${GITHUB_API_BASE_URL:-https://api.github.com}/repos/Lens-Academy/lens-edu-relay" 2>/dev/null; then
    echo "==> content: github Lens-Academy/lens-edu-relay@main"
  else
    CONTENT_DIR=$(cd content/sample && pwd)
    echo "==> content: GitHub cannot be reached; serving the bundled sample course ($CONTENT_DIR)"
  fi
  [ -n "${CONTENT_DIR:-}" ] && export CONTENT_DIR
fi
# Development sign-in (no Discord app needed), as an admin too; loopback and
# http://localhost only.
export DEV_MODE="${DEV_MODE:-1}"
export DEV_ADMIN="${DEV_ADMIN:-1}"

echo "==> building (first run: a few minutes)"
cargo build --quiet --bin lens-server --bin lens-web --bin lens-discord
bin=target/debug

if [ -f web_frontend/package.json ] && grep -q '"build"' web_frontend/package.json; then
  echo "==> building the frontend"
  (cd web_frontend && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)
fi

"$bin/lens-server" migrate

pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "==> stopping"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

grpc_addr="${LENS_GRPC_ADDR:-127.0.0.1:50051}"
"$bin/lens-server" serve &
pids+=($!)
for _ in $(seq 1 100); do
  (echo > "/dev/tcp/${grpc_addr%:*}/${grpc_addr##*:}") 2>/dev/null && break
  sleep 0.1
done

LENS_EDGE_TOKEN=$("$bin/lens-server" token --edge web 2>/dev/null) "$bin/lens-web" &
pids+=($!)

if has_var DISCORD_BOT_TOKEN; then
  LENS_EDGE_TOKEN=$("$bin/lens-server" token --edge discord 2>/dev/null) "$bin/lens-discord" &
  pids+=($!)
else
  echo "==> Discord bot off (set DISCORD_BOT_TOKEN to run it)"
fi

web_addr="${LENS_WEB_ADDR:-127.0.0.1:${PORT:-8000}}"
echo
echo "==> Lens is running: http://${web_addr}   (gRPC: ${grpc_addr}; Ctrl-C stops)"
echo
wait -n "${pids[@]}" || true
