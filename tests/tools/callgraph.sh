#!/usr/bin/env bash
# The call graph between lib/ files, read from their object files (nm): an
# edge A -> B when A's object uses a symbol B's object defines.  Prints the
# edges, then fails (exit 1) on a cycle, naming the files in it and the
# symbols each uses of the next.
#   tests/tools/callgraph.sh [BUILD]     (default build; reads BUILD/lib/*.o)
#   tests/tools/callgraph.sh -q [BUILD]  only the cycles
set -u
quiet=0
[ "${1:-}" = -q ] && { quiet=1; shift; }
dir=${1:-build}/lib
ls "$dir"/*.o >/dev/null 2>&1 || { echo "callgraph: no objects in $dir (make all first)" >&2; exit 2; }

for o in "$dir"/*.o; do
	f=$(basename "$o" .o)
	# defined globals (text, data, bss, read-only) and undefined references
	nm "$o" | awk -v f="$f" '$1 == "U" { print "U", f, $2; next }
		NF == 3 && $2 ~ /^[TDBRVW]$/ { print "D", f, $3 }'
done | awk -v quiet="$quiet" '
	$1 == "D" { def[$3] = $2; next }
	{ use[n] = $2; sym[n] = $3; n++ }
	END {
		for (i = 0; i < n; i++) {
			if (!(sym[i] in def)) continue
			a = use[i]; b = def[sym[i]]
			if (a == b) continue
			k = a SUBSEP b
			if (!(k in syms)) { edges[k] = 1; nodes[a] = 1; nodes[b] = 1; out[a] = out[a] " " b }
			syms[k] = syms[k] (k in syms && syms[k] != "" ? " " : "") sym[i]
		}
		if (!quiet)
			for (k in edges) { split(k, p, SUBSEP); print p[1] " -> " p[2] ": " syms[k] | "sort" }
		close("sort")
		# a cycle: b reaches a for an edge a -> b (closure by repeated search)
		bad = 0
		for (k in edges) {
			split(k, p, SUBSEP); a = p[1]; b = p[2]
			delete seen; delete prev
			q[0] = b; h = 0; t = 1; seen[b] = 1; found = 0
			while (h < t && !found) {
				x = q[h++]; m = split(out[x], nx, " ")
				for (j = 1; j <= m; j++) {
					y = nx[j]; if (y in seen) continue
					seen[y] = 1; prev[y] = x; q[t++] = y
					if (y == a) { found = 1; break }
				}
			}
			if (b == a) found = 1
			if (!found) continue
			# the path b ... a, then a -> b closes it
			path = a; x = a
			while (x != b) { x = prev[x]; path = x " -> " path }
			cyc = a " -> " path
			# report each cycle once: by its smallest edge
			key = cyc
			if (a > b) continue
			bad++
			print "cycle: " cyc
			m = split(cyc, c, " -> ")
			for (j = 1; j < m; j++)
				print "  " c[j] " -> " c[j + 1] ": " syms[c[j] SUBSEP c[j + 1]]
		}
		if (bad) { print bad " cycle(s) between lib/ files"; exit 1 }
		print "no cycles between lib/ files"
	}'
