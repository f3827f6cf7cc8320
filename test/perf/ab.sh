#!/usr/bin/env bash
# A/B submission throughput of two supportdesk binaries on one fresh
# PostgreSQL database, alternating, so that a busy machine slows both alike:
#   test/perf/ab.sh BEFORE AFTER [seconds=10] [rounds=3] [clients=16]
# BEFORE and AFTER are built binaries (go build -o … ./cmd/supportdesk at
# two commits). Prints each round's throughput, p50/p99 and the server's
# CPU ticks (utime + stime, 1/100 s) over the run.
set -euo pipefail
cd "$(dirname "$0")/../.."
before=$1 after=$2 seconds=${3:-10} rounds=${4:-3} clients=${5:-16}
pg=${PERF_PG:-postgres://postgres@127.0.0.1:5432}
db="supportdesk_ab_$$"
addr=127.0.0.1:18091
work=$(mktemp -d)
srv=
cleanup() {
  [ -n "$srv" ] && kill "$srv" 2>/dev/null && wait "$srv" 2>/dev/null || true
  psql "$pg/postgres" -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
go build -o "$work/load" ./test/load
psql "$pg/postgres" -q -c "CREATE DATABASE $db"
export SUPPORTDESK_DATABASE_URL="$pg/$db?sslmode=disable"
"$after" seed --demo >/dev/null
url="http://$addr/v1/tenants/30000000-0000-4000-8000-000000000001/support-requests"
for round in $(seq 1 "$rounds"); do
  for which in before after; do
    bin=$before; [ "$which" = after ] && bin=$after
    SUPPORTDESK_CREATE_LIMIT=1000000000 SUPPORTDESK_ADDR=$addr "$bin" serve 2>"$work/$which.log" &
    srv=$!
    for _ in $(seq 1 50); do curl -sf "http://$addr/readyz" >/dev/null && break; sleep 0.2; done
    "$work/load" -url "$url" -clients "$clients" -duration 2s >/dev/null
    t0=$(awk '{print $14+$15}' "/proc/$srv/stat")
    out=$("$work/load" -url "$url" -clients "$clients" -duration "${seconds}s")
    t1=$(awk '{print $14+$15}' "/proc/$srv/stat")
    echo "round $round $which: $out cpu_ticks=$((t1 - t0))"
    kill "$srv"; wait "$srv" 2>/dev/null || true; srv=
  done
done
