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
# and the same for SQLite, the embedded default, unless PERF_SQLITE=0: a
# fresh file seeded with the demo and the big tenant (test/perf/sqlite
# -fill), serve measured as above, and as its ceiling the statements of
# submission.sql through the service's driver, every read in one read-only
# transaction and both inserts in one write transaction (test/perf/sqlite
# -bench). It prints one summary table per engine with a column per run,
# then, unless PERF_PROFILE=0 or perf is missing, the tops of a CPU
# profile of serve on each engine, taken in run 1 under a separate wrk
# run after the measured one.
# wrk is installed from Debian when it is missing. Loopback only; the
# database and the file are removed at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
seconds=${1:-20}
runs=${2:-2}
clients=${PERF_CLIENTS:-16}
rows=${PERF_ROWS:-1000000}
previews=${PERF_PREVIEWS:-50}
sqlite=${PERF_SQLITE:-1}
profile=${PERF_PROFILE:-1}
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

load0=$(cut -d' ' -f1-3 /proc/loadavg)
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
pg_url=$SUPPORTDESK_DATABASE_URL

if [ "$sqlite" = 1 ]; then
	log "SQLite: seed the demo, big tenant ($rows runs and audit entries)"
	go build -o "$work/sqlite-perf" ./test/perf/sqlite
	lite="$work/sqlite/supportdesk.db"
	mkdir -p "$work/sqlite"
	SUPPORTDESK_DATABASE_URL=$lite "$work/supportdesk" seed --demo >/dev/null
	"$work/sqlite-perf" -db "$lite" -fill -tenant $big -workspace $workspace -user $owner -rows "$rows"
fi

# field prints the value of key $1 in the line $line.
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$line"; }

# measure_serve measures run $1 of the server on engine $2 (pg, sqlite),
# SUPPORTDESK_DATABASE_URL naming its database: warm-up, previews, then
# wrk with the server's CPU time around it and its peak RSS after it.
measure_serve() {
	local r=$1 e=$2 cpu0 cpu1 line
	log "run $r, $e: serve, warm-up"
	start_server
	wrk -t 2 -c "$clients" -d 3s -s test/perf/create.lua "http://$addr/v1/tenants/$small/support-requests" >/dev/null
	log "run $r, $e: attachment preview, big and small tenant, $previews each"
	read -r "m[$r,$e,env_big]" "m[$r,$e,env_small]" < <(preview_medians)
	log "run $r, $e: wrk, $clients connections, ${seconds}s"
	cpu0=$(cpu_ticks "$server")
	wrk -t 2 -c "$clients" -d "${seconds}s" -s test/perf/create.lua "http://$addr/v1/tenants/$small/support-requests" >"$work/wrk"
	cpu1=$(cpu_ticks "$server")
	line=$(grep '^wrk: ' "$work/wrk")
	m[$r,$e,rps]=$(field rps)
	m[$r,$e,p99]=$(field p99_ms)
	m[$r,$e,requests]=$(field requests)
	m[$r,$e,errors]=$(($(field non2xx) + $(field socket_errors)))
	m[$r,$e,cpu]=$(awk -v t="$((cpu1 - cpu0))" -v hz="$ticks" -v n="${m[$r,$e,requests]}" 'BEGIN {printf "%.0f", t * 1e6 / hz / n}')
	m[$r,$e,rss]=$(awk '/^VmHWM:/ {printf "%.1f", $2 / 1024}' "/proc/$server/status")
	[ "$profile" = 1 ] && [ "$r" = 1 ] && profile_serve "$e"
	stop_server
}

# profile_serve samples the running server's CPU with perf under another
# wrk run as long as the measured one (so that the sampling does not
# disturb the table) and writes its tops, by package and by function, of
# self time, to $work/profile-$1.
profile_serve() {
	local e=$1 wrk_pid
	if ! command -v perf >/dev/null; then
		log "no perf: CPU profile skipped"
		return 0
	fi
	log "run 1, $e: CPU profile, perf record under wrk for ${seconds}s (not in the table)"
	wrk -t 2 -c "$clients" -d "${seconds}s" -s test/perf/create.lua "http://$addr/v1/tenants/$small/support-requests" >/dev/null &
	wrk_pid=$!
	if ! perf record -F 499 -p "$server" -o "$work/perf.data" -- sleep "$seconds" >/dev/null 2>&1; then
		log "perf record failed (perf_event_paranoid?): CPU profile skipped"
		wait "$wrk_pid"
		return 0
	fi
	wait "$wrk_pid"
	perf report -i "$work/perf.data" --no-children --sort symbol --stdio -g none 2>/dev/null |
		awk '$1 ~ /%$/ {print}' >"$work/perf.symbols"
	{
		echo "CPU profile of serve on $e under the same load (perf, self time), by package:"
		awk '{p = $1; sub(/%/, "", p); sym = $3
			if ($2 == "[k]") pkg = "kernel"
			else if (sym !~ /[.\/]/) pkg = "runtime (assembly)"
			else {last = sym; sub(/^.*\//, "", last); pkg = substr(sym, 1, length(sym) - length(last)); sub(/\..*$/, "", last); pkg = pkg last}
			tot[pkg] += p}
			END {for (k in tot) printf "    %6.2f%%  %s\n", tot[k], k}' "$work/perf.symbols" | sort -rn | head -n 15
		echo "and by function:"
		head -n 15 "$work/perf.symbols" | awk '{printf "    %7s  %s\n", $1, $3}'
	} >"$work/profile-$e"
}

declare -A m
ticks=$(getconf CLK_TCK)
for r in $(seq 1 "$runs"); do
	export SUPPORTDESK_DATABASE_URL=$pg_url
	measure_serve "$r" pg
	log "run $r, pg: pgbench, statements one by one, ${seconds}s"
	read -r "m[$r,pg,one_tps]" "m[$r,pg,one_p99]" "m[$r,pg,one_failed]" < <(pgbench_run "$root/test/load/submission.sql")
	log "run $r, pg: pgbench, 2 round trips, ${seconds}s"
	read -r "m[$r,pg,two_tps]" "m[$r,pg,two_p99]" "m[$r,pg,two_failed]" < <(pgbench_run "$root/test/perf/two-round-trips.sql")
	if [ "$sqlite" = 1 ]; then
		export SUPPORTDESK_DATABASE_URL=$lite
		measure_serve "$r" sqlite
		log "run $r, sqlite: ceiling, ${seconds}s"
		line=$("$work/sqlite-perf" -db "$lite" -bench -tenant $small -workspace $workspace -user $owner \
			-clients "$clients" -duration "${seconds}s")
		m[$r,sqlite,two_tps]=$(field tps)
		m[$r,sqlite,two_p99]=$(field p99_ms)
		m[$r,sqlite,two_failed]=$(field failed)
	fi
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
for r in $(seq 1 "$runs"); do
	for e in pg sqlite; do
		[ -n "${m[$r,$e,rps]:-}" ] || continue
		m[$r,$e,vs_two]=$(ratio "${m[$r,$e,rps]}" "${m[$r,$e,two_tps]}")
		m[$r,$e,p99_ratio]=$(ratio "${m[$r,$e,p99]}" "${m[$r,$e,two_p99]}")
		m[$r,$e,env_ratio]=$(ratio "${m[$r,$e,env_big]}" "${m[$r,$e,env_small]}")
		m[$r,$e,rps]=$(printf '%.0f' "${m[$r,$e,rps]}")
		m[$r,$e,two_tps]=$(printf '%.0f' "${m[$r,$e,two_tps]}")
	done
	m[$r,pg,vs_one]=$(ratio "${m[$r,pg,rps]}" "${m[$r,pg,one_tps]}")
	m[$r,pg,one_tps]=$(printf '%.0f' "${m[$r,pg,one_tps]}")
done

# row prints one row of engine $1's table: its name $2, its target $3,
# then the value of key $4 in every run.
row() {
	local e=$1 name=$2 target=$3 key=$4
	printf '| %s |' "$name"
	for r in $(seq 1 "$runs"); do printf ' %s |' "${m[$r,$e,$key]}"; done
	printf ' %s |\n' "$target"
}
header() {
	printf '| %s |' "$1"
	for r in $(seq 1 "$runs"); do printf ' run %s |' "$r"; done
	printf ' target |\n|---|'
	for r in $(seq 1 "$runs"); do printf -- '---|'; done
	printf -- '---|\n'
}

echo
echo "supportdesk $(git rev-parse --short HEAD), $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1))," \
	"PostgreSQL $(psql "$pg/postgres" -qXtA -c 'SHOW server_version' | cut -d' ' -f1), $clients connections, ${seconds}s each," \
	"$(date -u +%Y-%m-%dT%H:%MZ); load average $load0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
[ -n "$statements" ] && echo "$statements"
echo
header PostgreSQL
row pg "supportdesk requests/s (wrk)" "" rps
row pg "supportdesk p99 ms" "" p99
row pg "supportdesk non-2xx + socket errors" "0" errors
row pg "pgbench one by one, tps" "" one_tps
row pg "pgbench one by one, p99 ms" "" one_p99
row pg "pgbench 2 round trips (ceiling), tps" "" two_tps
row pg "pgbench 2 round trips, p99 ms" "" two_p99
row pg "**supportdesk / ceiling**" "≥ 0.70" vs_two
row pg "**supportdesk / one by one**" "> 1" vs_one
row pg "**server CPU µs per request**" "≤ 350" cpu
row pg "**p99 / ceiling's p99**" "≤ 2" p99_ratio
row pg "**peak RSS MiB**" "≤ 64" rss
row pg "preview, big tenant, median ms" "" env_big
row pg "preview, small tenant, median ms" "" env_small
row pg "**envelope big / small**" "≤ 1.2" env_ratio
if [ "$sqlite" = 1 ]; then
	echo
	header SQLite
	row sqlite "supportdesk requests/s (wrk)" "" rps
	row sqlite "supportdesk p99 ms" "" p99
	row sqlite "supportdesk non-2xx + socket errors" "0" errors
	row sqlite "ceiling (the statements through the driver), tps" "" two_tps
	row sqlite "ceiling, p99 ms" "" two_p99
	row sqlite "**supportdesk / ceiling**" "≥ 0.70" vs_two
	row sqlite "**server CPU µs per request**" "≤ 350" cpu
	row sqlite "**p99 / ceiling's p99**" "≤ 2" p99_ratio
	row sqlite "**peak RSS MiB**" "≤ 64" rss
	row sqlite "preview, big tenant, median ms" "" env_big
	row sqlite "preview, small tenant, median ms" "" env_small
	row sqlite "**envelope big / small**" "≤ 1.2" env_ratio
fi
for e in pg sqlite; do
	[ -f "$work/profile-$e" ] && echo && cat "$work/profile-$e"
done
for r in $(seq 1 "$runs"); do
	for k in pg,one_failed pg,two_failed sqlite,two_failed; do
		[ "${m[$r,$k]:-0}" = 0 ] || log "warning: run $r: ${m[$r,$k]} failed transactions ($k)"
	done
done
log "done"
