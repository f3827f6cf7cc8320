#!/usr/bin/env bash
# The long crash test of delivery: clients create requests with
# Idempotency-Keys against two serve instances while PostgreSQL, a serve
# instance and NATS are killed with SIGKILL and restarted; then every
# acknowledged request must exist once and be delivered (see chaos.go).
#   test/chaos/run.sh [duration=3m] [db crashes=5] [server kills=2] [nats kills=2] [clients=8]
set -euo pipefail
cd "$(dirname "$0")/../.."
SUPPORTDESK_CHAOS_DURATION=${1:-3m} \
SUPPORTDESK_CHAOS_DB_CRASHES=${2:-5} \
SUPPORTDESK_CHAOS_SERVER_KILLS=${3:-2} \
SUPPORTDESK_CHAOS_NATS_KILLS=${4:-2} \
SUPPORTDESK_CHAOS_CLIENTS=${5:-8} \
  go test -count=1 -v -timeout 60m -run '^TestCrashes$' ./test/chaos/ | grep -v '^\s*$'
