#!/usr/bin/env bash
# Submission throughput at N clients against the pgbench baseline of the
# same SQL (test/load/submission.sql), both on a fresh database of the
# local PostgreSQL, measured in one run on this machine. Loopback only.
#   test/load/run.sh [clients=16] [seconds=20]
set -euo pipefail
cd "$(dirname "$0")/../.."
clients=${1:-16}
seconds=${2:-20}
pg=postgres://postgres@127.0.0.1:5432
db="supportdesk_load_$$"
addr=127.0.0.1:18090
work=$(mktemp -d)
cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  psql "$pg/postgres" -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/supportdesk" ./cmd/supportdesk
go build -o "$work/load" ./test/load
psql "$pg/postgres" -q -c "CREATE DATABASE $db"
export SUPPORTDESK_DATABASE_URL="$pg/$db?sslmode=disable"
"$work/supportdesk" seed --demo >/dev/null

SUPPORTDESK_CREATE_LIMIT=1000000000 SUPPORTDESK_ADDR=$addr "$work/supportdesk" serve 2>"$work/server.log" &
server=$!
for _ in $(seq 1 50); do curl -sf "http://$addr/healthz" >/dev/null && break; sleep 0.2; done

tenant=30000000-0000-4000-8000-000000000001
"$work/load" -url "http://$addr/v1/tenants/$tenant/support-requests" -clients "$clients" -duration 3s >/dev/null
echo "supportdesk: $("$work/load" -url "http://$addr/v1/tenants/$tenant/support-requests" -clients "$clients" -duration "${seconds}s")"
kill "$server"; wait "$server" 2>/dev/null || true; server=

(cd "$work" && pgbench -n -M prepared -c "$clients" -j 2 -T "$seconds" -l --log-prefix=tx \
  -D tenant=$tenant -D workspace=10000000-0000-4000-8000-000000000001 -D user=20000000-0000-4000-8000-000000000001 \
  -f "$OLDPWD/test/load/submission.sql" "$pg/$db" >"$work/pgbench.log" 2>&1) || { cat "$work/pgbench.log"; exit 1; }
tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$work/pgbench.log")
p99=$(cat "$work"/tx.* | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {i=int((NR-1)*0.99)+1; printf "%.2f", a[i]/1000}')
p50=$(cat "$work"/tx.* | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {i=int((NR-1)*0.50)+1; printf "%.2f", a[i]/1000}')
echo "pgbench:     clients=$clients tps=$tps p50=${p50}ms p99=${p99}ms"
