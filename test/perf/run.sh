#!/usr/bin/env bash
# The performance script of issue 12: supportdesk on PostgreSQL against the
# database's own limit, on this machine, in one go.
#
#   test/perf/run.sh [seconds=20] [runs=2]
#
# It builds supportdesk, makes a fresh database on the local PostgreSQL
# (PERF_PG, default postgres://postgres@127.0.0.1:5432, trust), migrates and
# seeds it with the demo, and adds a big tenant with PERF_ROWS (1,000,000)
# operation runs and as many audit entries (test/perf/big-tenant.sql). It
# logs the statements of one submission when it can read the server log
# (PERF_PG_LOG, default /var/log/postgresql/postgresql-*-main.log). Then,
# runs times:
#   - starts `supportdesk serve` (create limit out of reach), warms it up,
#     times the attachment preview — authorization, the envelope reads and
#     the envelope build — on the big tenant and on the demo tenant
#     (median of PERF_PREVIEWS=50 each, interleaved, one connection);
#   - drives the create endpoint with wrk at PERF_CLIENTS (16) connections
#     for the given seconds (test/perf/create.lua), reading the server's
#     CPU time (utime+stime of /proc/<pid>/stat) around it and its peak
#     RSS (VmHWM) after it;
#   - runs pgbench for as long on the same statements one by one
#     (test/load/submission.sql) and in 2 round trips
#     (test/perf/two-round-trips.sql).
# and prints one summary table with a column per run. wrk is installed
# from Debian when it is missing. Loopback only; the database is dropped
# at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
seconds=${1:-20}
runs=${2:-2}
clients=${PERF_CLIENTS:-16}
rows=${PERF_ROWS:-1000000}
previews=${PERF_PREVIEWS:-50}
pg=${PERF_PG:-postgres://postgres@127.0.0.1:5432}
addr=${PERF_ADDR:-127.0.0.1:18095}
db="supportdesk_perf_$$"
workspace=10000000-0000-4000-8000-000000000001
owner=20000000-0000-4000-8000-000000000001
small=30000000-0000-4000-8000-000000000001
big=30000000-0000-4000-8000-000001000000
token=demo-owner-token-please-change
unset SUPPORTDESK_NATS_URL SUPPORTDESK_ADDR SUPPORTDESK_TRUSTED_PROXIES

log() { printf '[%3ds] %s\n' "$SECONDS" "$*" >&2; }

for tool in go psql pgbench curl; do
	command -v "$tool" >/dev/null || { echo "run.sh needs $tool" >&2; exit 1; }
done
if ! command -v wrk >/dev/null; then
	log "installing wrk (Debian package)"
	sudo=
	[ "$(id -u)" = 0 ] || sudo=sudo
	$sudo apt-get install -y wrk >/dev/null || { $sudo apt-get update >/dev/null && $sudo apt-get install -y wrk >/dev/null; }
fi

work=$(mktemp -d)
server=
cleanup() {
	stop_server
	psql "$pg/postgres" -qX -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

start_server() {
	SUPPORTDESK_CREATE_LIMIT=1000000000 SUPPORTDESK_ADDR=$addr "$work/supportdesk" serve >>"$work/server.log" 2>&1 &
	server=$!
	for _ in $(seq 1 100); do
		curl -sf "http://$addr/healthz" >/dev/null && return 0
		kill -0 "$server" 2>/dev/null || break
		sleep 0.1
	done
	echo "supportdesk serve did not come up on $addr:" >&2
	tail -n 20 "$work/server.log" >&2
	exit 1
}

stop_server() {
	if [ -n "$server" ]; then
		kill "$server" 2>/dev/null || true
		wait "$server" 2>/dev/null || true
		server=
	fi
}

# cpu_ticks prints the user+system CPU time of process $1 in clock ticks.
cpu_ticks() {
	sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}

# percentile prints the p-th percentile ($1, 0..1) of the numbers on stdin,
# divided by $2.
percentile() {
	sort -n | awk -v p="$1" -v d="$2" '{a[NR] = $1} END {i = int((NR - 1) * p) + 1; printf "%.2f", a[i] / d}'
}

# pgbench_run runs pgbench on script $1 for the run's seconds and prints
# "tps p99_ms failed".
pgbench_run() {
	local out="$work/pgbench"
	rm -rf "$out" && mkdir "$out"
	(cd "$out" && pgbench -n -M prepared -c "$clients" -j 2 -T "$seconds" -l --log-prefix=tx \
		-D tenant=$small -D workspace=$workspace -D user=$owner -f "$1" "$pg/$db" >"$out/report" 2>&1) ||
		{ cat "$out/report" >&2; exit 1; }
	local tps p99 failed
	tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$out/report")
	failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$out/report")
	p99=$(cat "$out"/tx.* | awk '{print $3}' | percentile 0.99 1000)
	echo "$tps $p99 ${failed:-0}"
}

# statement_log prints the statements one submission runs on the database,
# from the server log; PostgreSQL logs them while log_statement=all is set
# on the database, for sessions opened after that.
statement_log() {
	local pglog=${PERF_PG_LOG:-$(ls /var/log/postgresql/postgresql-*-main.log 2>/dev/null | head -n 1)}
	if [ -z "$pglog" ] || [ ! -r "$pglog" ]; then
		log "no readable PostgreSQL log (PERF_PG_LOG): statement count skipped"
		return 0
	fi
	psql "$pg/postgres" -qX -c "ALTER DATABASE $db SET log_statement = 'all'"
	start_server
	local from
	from=$(stat -c %s "$pglog")
	curl -sf -o /dev/null -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
		-d '{"severity":"high","summary":"Statement log","reproduction_notes":"sent by test/perf"}' \
		"http://$addr/v1/tenants/$small/support-requests"
	sleep 0.5
	stop_server
	psql "$pg/postgres" -qX -c "ALTER DATABASE $db RESET log_statement"
	# One line per statement: pid, then the statement's first line. The
	# submission's run from the window's start to the commit after its
	# support_requests insert; the delivery relay's (woken by that commit,
	# and polling) are left out by their text, and so are the transaction
	# brackets of connections that ran nothing else in the window.
	tail -c +"$((from + 1))" "$pglog" |
		sed -n "s/^.* \[\([0-9]*\)\] [^ ]*@$db LOG:  \(statement\|execute [^:]*\): \(.*\)/\1 \3/p" |
		grep -vE '^[0-9]+ (-- ping|LISTEN|SELECT \* FROM "webhooks"|SELECT id FROM outbox_events|UPDATE outbox_events|UPDATE deliveries|SELECT min\(GREATEST)' |
		awk '{line[NR] = $0; pid[NR] = $1; text = tolower($2)}
			text != "begin" && text != "commit" && text != "rollback" {mine[$1] = 1}
			/INSERT INTO "?support_requests/ {wrote[$1] = 1}
			wrote[$1] && tolower($2) == "commit" {last = NR; exit}
			END {if (!last) last = NR; for (i = 1; i <= last; i++) if (pid[i] in mine) print line[i]}' >"$work/submission-statements"
	# Transactions: the explicit ones (BEGIN … COMMIT) and each statement
	# outside one.
	awk '{w = tolower($2)} w == "begin" {inside = 1; tx++} !inside && w != "begin" {alone++} w == "commit" || w == "rollback" {inside = 0}
		END {printf "statements of one submission (tenant context, owner, diagnostics attached): %d, in %d transactions (%d explicit, %d single statements)\n", NR, tx + alone, tx, alone}' \
		"$work/submission-statements"
	cut -d' ' -f2- "$work/submission-statements" | cut -c1-110 | sed 's/^/    /'
}

# preview_medians prints the median time in ms of the attachment preview
# on the big and on the small tenant, interleaved on one connection.
preview_medians() {
	local args=()
	for _ in $(seq 1 "$previews"); do
		for t in $big $small; do
			args+=(-o /dev/null "http://$addr/v1/tenants/$t/support-requests/attachment-preview")
		done
	done
	curl -s -H "Authorization: Bearer $token" -w '%{url_effective} %{http_code} %{time_total}\n' "${args[@]}" >"$work/previews"
	if grep -qv ' 200 ' "$work/previews"; then
		echo "attachment preview failed:" >&2
		grep -v ' 200 ' "$work/previews" | head -n 3 >&2
		exit 1
	fi
	local b s
	b=$(grep "/$big/" "$work/previews" | awk '{print $3 * 1000}' | percentile 0.5 1)
	s=$(grep "/$small/" "$work/previews" | awk '{print $3 * 1000}' | percentile 0.5 1)
	echo "$b $s"
}

log "building supportdesk"
go build -o "$work/supportdesk" ./cmd/supportdesk
log "fresh database $db: migrate and seed the demo"
psql "$pg/postgres" -qX -c "CREATE DATABASE $db"
export SUPPORTDESK_DATABASE_URL="$pg/$db?sslmode=disable"
"$work/supportdesk" seed --demo >/dev/null
log "big tenant $big: $rows operation runs and $rows audit entries"
vars=(-v tenant=$big -v workspace=$workspace -v owner=$owner -v rows="$rows")
psql "$pg/$db" -qX "${vars[@]}" -v part=tenant -f test/perf/big-tenant.sql
psql "$pg/$db" -qX "${vars[@]}" -v part=runs -f test/perf/big-tenant.sql &
runs_pid=$!
psql "$pg/$db" -qX "${vars[@]}" -v part=audit -f test/perf/big-tenant.sql
wait "$runs_pid"
psql "$pg/$db" -qX -c "VACUUM ANALYZE"

statements=$(statement_log)

# field prints the value of key $1 in the wrk line $line.
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$line"; }

declare -A m
ticks=$(getconf CLK_TCK)
for r in $(seq 1 "$runs"); do
	log "run $r of $runs: serve, warm-up"
	start_server
	wrk -t 2 -c "$clients" -d 3s -s test/perf/create.lua "http://$addr/v1/tenants/$small/support-requests" >/dev/null
	log "run $r: attachment preview, big and small tenant, $previews each"
	read -r "m[$r,env_big]" "m[$r,env_small]" < <(preview_medians)
	log "run $r: wrk, $clients connections, ${seconds}s"
	cpu0=$(cpu_ticks "$server")
	wrk -t 2 -c "$clients" -d "${seconds}s" -s test/perf/create.lua "http://$addr/v1/tenants/$small/support-requests" >"$work/wrk"
	cpu1=$(cpu_ticks "$server")
	line=$(grep '^wrk: ' "$work/wrk")
	m[$r,rps]=$(field rps)
	m[$r,p99]=$(field p99_ms)
	m[$r,requests]=$(field requests)
	m[$r,errors]=$(($(field non2xx) + $(field socket_errors)))
	m[$r,cpu]=$(awk -v t="$((cpu1 - cpu0))" -v hz="$ticks" -v n="${m[$r,requests]}" 'BEGIN {printf "%.0f", t * 1e6 / hz / n}')
	m[$r,rss]=$(awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/$server/status")
	stop_server
	log "run $r: pgbench, statements one by one, ${seconds}s"
	read -r "m[$r,one_tps]" "m[$r,one_p99]" "m[$r,one_failed]" < <(pgbench_run "$root/test/load/submission.sql")
	log "run $r: pgbench, 2 round trips, ${seconds}s"
	read -r "m[$r,two_tps]" "m[$r,two_p99]" "m[$r,two_failed]" < <(pgbench_run "$root/test/perf/two-round-trips.sql")
done

ratio() { awk -v a="$1" -v b="$2" -v f="${3:-%.2f}" 'BEGIN {printf f, a / b}'; }
row() {
	local name=$1 target=$2 key=$3
	printf '| %s |' "$name"
	for r in $(seq 1 "$runs"); do printf ' %s |' "${m[$r,$key]}"; done
	printf ' %s |\n' "$target"
}
for r in $(seq 1 "$runs"); do
	m[$r,vs_two]=$(ratio "${m[$r,rps]}" "${m[$r,two_tps]}")
	m[$r,vs_one]=$(ratio "${m[$r,rps]}" "${m[$r,one_tps]}")
	m[$r,p99_ratio]=$(ratio "${m[$r,p99]}" "${m[$r,two_p99]}")
	m[$r,env_ratio]=$(ratio "${m[$r,env_big]}" "${m[$r,env_small]}")
	m[$r,rps]=$(printf '%.0f' "${m[$r,rps]}")
	m[$r,one_tps]=$(printf '%.0f' "${m[$r,one_tps]}")
	m[$r,two_tps]=$(printf '%.0f' "${m[$r,two_tps]}")
done

echo
echo "supportdesk $(git rev-parse --short HEAD) on PostgreSQL $(psql "$pg/postgres" -qXtA -c 'SHOW server_version' | cut -d' ' -f1)," \
	"$(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), $clients connections, ${seconds}s each, $(date -u +%Y-%m-%dT%H:%MZ)"
[ -n "$statements" ] && echo "$statements"
echo
printf '| |'
for r in $(seq 1 "$runs"); do printf ' run %s |' "$r"; done
printf ' target |\n|---|'
for r in $(seq 1 "$runs"); do printf -- '---|'; done
printf -- '---|\n'
row "supportdesk requests/s (wrk)" "" rps
row "supportdesk p99 ms" "" p99
row "supportdesk non-2xx + socket errors" "0" errors
row "pgbench one by one, tps" "" one_tps
row "pgbench one by one, p99 ms" "" one_p99
row "pgbench 2 round trips (ceiling), tps" "" two_tps
row "pgbench 2 round trips, p99 ms" "" two_p99
row "**supportdesk / ceiling**" "≥ 0.70" vs_two
row "**supportdesk / one by one**" "> 1" vs_one
row "**server CPU µs per request**" "≤ 350" cpu
row "**p99 / ceiling's p99**" "≤ 2" p99_ratio
row "**peak RSS MiB**" "≤ 64" rss
row "envelope (preview) big tenant, median ms" "" env_big
row "envelope (preview) small tenant, median ms" "" env_small
row "**envelope big / small**" "≤ 1.2" env_ratio
log "done"
