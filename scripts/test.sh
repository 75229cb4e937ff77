#!/usr/bin/env bash
# Runs every test: unit tests, and system tests that start the real core,
# web edge and Discord bot on loopback against SQLite, PostgreSQL and fake
# third-party servers. PostgreSQL is required (LENS_TEST_POSTGRES_URL,
# default postgres://postgres@127.0.0.1:5432/test); the run fails without it.
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

echo "==> cargo test (workspace)"
# Library, binary and integration tests (and doc tests). Benchmarks are not
# tests: they are compiled by clippy in CI and run with `cargo bench`.
cargo test --workspace
