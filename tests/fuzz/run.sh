#!/usr/bin/env bash
# Run every libFuzzer target of tests/fuzz/fuzz_NAME.c, built in BUILD
# (default build-fuzz, `make fuzz-build`), for SECONDS each (default 60),
# one after the other, over its checked-in seeds tests/fuzz/corpus/NAME/.
# New inputs go to BUILD/corpus/NAME/ (kept between runs; with -f, to a
# fresh directory removed afterwards, so that only the seeds are replayed),
# never into the tree; a crash, leak or timeout leaves its reproducer in
# BUILD/artifacts/NAME/.  Prints TAP: one test per target.
#   tests/fuzz/run.sh [-f] [-t SECONDS] [BUILD]
# Reproduce a finding: BUILD/fuzz_NAME BUILD/artifacts/NAME/crash-...
set -u
cd "$(dirname "$0")/../.."

seconds=60 fresh=
while [ $# -gt 0 ]; do
	case $1 in
	-t) seconds=$2; shift 2 ;;
	-f) fresh=1; shift ;;
	*) break ;;
	esac
done
build=${1:-build-fuzz}

srcs=(tests/fuzz/fuzz_*.c)
echo "1..${#srcs[@]}"
n=0 failed=0
for src in "${srcs[@]}"; do
	name=$(basename "$src" .c)
	name=${name#fuzz_}
	bin=$build/fuzz_$name
	seeds=tests/fuzz/corpus/$name
	work=$build/corpus/$name
	[ -z "$fresh" ] || work=$(mktemp -d "$build/corpus-$name.XXXXXX")
	art=$build/artifacts/$name
	log=$build/fuzz_$name.log
	n=$((n + 1))
	if [ ! -x "$bin" ]; then
		echo "not ok $n - fuzz_$name: $bin not built (make fuzz-build)"
		failed=$((failed + 1))
		continue
	fi
	mkdir -p "$work" "$art" "$seeds"
	# the first directory gets the new inputs; the seeds are only read
	timeout $((seconds + 120)) "$bin" -max_total_time="$seconds" \
		-timeout=25 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$art/" "$work" "$seeds" >"$log" 2>&1
	rc=$?
	[ -z "$fresh" ] || rm -rf "$work"
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	if [ "$rc" -eq 0 ]; then
		echo "ok $n - fuzz_$name: ${runs:-?} runs in ${seconds} s," \
			"$(ls "$seeds" | wc -l) seeds"
		continue
	fi
	failed=$((failed + 1))
	repro=$(ls -t "$art" 2>/dev/null | head -n 1)
	echo "not ok $n - fuzz_$name: exit $rc," \
		"reproducer: ${repro:+$art/$repro} (log: $log)"
	grep -E 'ERROR|SUMMARY|check failed|runtime error|^    #[0-9] ' "$log" |
		head -n 12 | sed 's/^/# /'
done
[ "$failed" -eq 0 ]
