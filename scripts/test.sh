#!/usr/bin/env bash
# Runs every test: Rust unit tests; system tests that start the real core,
# web edge and Discord bot on loopback against SQLite, PostgreSQL and fake
# third-party servers; the web app's unit tests (Vitest); and browser tests
# in Debian's Chromium against the real platform (web_frontend/e2e).
#
# PostgreSQL is required (LENS_TEST_POSTGRES_URL, default
# postgres://postgres@127.0.0.1:5432/test) and so is Chromium (CHROMIUM,
# default /usr/bin/chromium, installed from Debian's package when missing and
# this runs as root). Without either the run fails and says why.
set -euo pipefail
cd "$(dirname "$0")/.."

pg_url="${LENS_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
pg_hostport=$(echo "$pg_url" | sed -E 's#^[a-z]+://([^@/]*@)?([^/?]+).*#\2#')
pg_host=${pg_hostport%:*}
pg_port=${pg_hostport##*:}
[ "$pg_port" = "$pg_hostport" ] && pg_port=5432
if ! (echo > "/dev/tcp/$pg_host/$pg_port") 2>/dev/null; then
  echo "error: PostgreSQL is required by the tests but nothing answers at $pg_host:$pg_port." >&2
  echo "       Start PostgreSQL or set LENS_TEST_POSTGRES_URL." >&2
  exit 1
fi

chromium="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> installing Chromium from Debian's packages (browser tests)"
    apt-get install -y -qq chromium >/dev/null 2>&1 \
      || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
  fi
  if [ ! -x "$chromium" ]; then
    echo "error: the browser tests need Chromium at $chromium, and it could not be installed." >&2
    echo "       Install Debian's package (apt-get install -y chromium) or set CHROMIUM." >&2
    exit 1
  fi
fi

echo "==> cargo test (workspace)"
# Library, binary and integration tests (and doc tests). Benchmarks are not
# tests: they are compiled by clippy in CI and run with `cargo bench`.
cargo test --workspace

echo "==> web app: unit tests and production build"
(
  cd web_frontend
  npm ci --no-audit --no-fund --loglevel=error
  npm test --silent
  npm run build --silent
)

echo "==> browser tests (Chromium, real core and web edge, fake Discord and LLM)"
cargo build --quiet -p lens-tests --bin e2e-stack
CHROMIUM="$chromium" node web_frontend/e2e/run.mjs
