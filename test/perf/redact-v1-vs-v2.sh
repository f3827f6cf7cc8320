#!/usr/bin/env bash
# Compares the redaction benchmarks of policy v1 with this checkout's, in
# the same run so that a busy machine slows both alike.
#
# It checks out the last v1 commit (BASE, default ad3c0a0) into a temporary
# git worktree, copies this checkout's core/redact/bench_test.go into it
# (the benchmarks call only redact.String, which both policies have),
# builds both test binaries, runs them interleaved COUNT times (default 5)
# and prints the median ns/op, MB/s, B/op and allocs/op of each.
#
#   test/perf/redact-v1-vs-v2.sh            # BASE=ad3c0a0 COUNT=5
#   COUNT=9 BENCHTIME=2s test/perf/redact-v1-vs-v2.sh
set -euo pipefail

base=${BASE:-ad3c0a0}
count=${COUNT:-5}
benchtime=${BENCHTIME:-1s}
root=$(git rev-parse --show-toplevel)
tmp=$(mktemp -d)
cleanup() {
	git -C "$root" worktree remove --force "$tmp/v1" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT

git -C "$root" worktree add --detach "$tmp/v1" "$base" >/dev/null 2>&1
cp "$root/core/redact/bench_test.go" "$tmp/v1/core/redact/bench_test.go"
(cd "$tmp/v1" && go test -c -o "$tmp/v1.test" ./core/redact)
(cd "$root" && go test -c -o "$tmp/v2.test" ./core/redact)

for i in $(seq "$count"); do
	for v in v1 v2; do
		dir="$root/core/redact"
		[ "$v" = v1 ] && dir="$tmp/v1/core/redact"
		(cd "$dir" && "$tmp/$v.test" -test.run '^$' -test.bench '^BenchmarkRedact' -test.benchmem \
			-test.benchtime "$benchtime" -test.count 1) | grep '^Benchmark' | sed "s/^/$v /" >>"$tmp/results"
	done
done

echo "redaction benchmarks, $base (v1) against $(git -C "$root" rev-parse --short HEAD) (v2), median of $count interleaved runs"
printf '%-30s %-3s %12s %9s %10s %10s\n' benchmark pol ns/op MB/s B/op allocs/op
# Fields: policy, name, iterations, ns, "ns/op", MB/s, "MB/s", B, "B/op", allocs, "allocs/op".
sort -k2,2 -k1,1 "$tmp/results" | awk '
	function median(list,   n, a, i, j, t) {
		n = split(list, a, " ")
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	{
		name = $2; sub(/-[0-9]+$/, "", name); k = name " " $1
		if (!(k in ns)) order[++n] = k
		ns[k] = ns[k] " " $4; mbs[k] = mbs[k] " " $6; bs[k] = bs[k] " " $8; al[k] = al[k] " " $10
	}
	END {
		for (i = 1; i <= n; i++) {
			split(order[i], p, " ")
			printf "%-30s %-3s %12.0f %9.2f %10.0f %10.0f\n", p[1], p[2], median(ns[order[i]]), median(mbs[order[i]]), median(bs[order[i]]), median(al[order[i]])
		}
	}'
