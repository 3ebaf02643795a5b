#!/usr/bin/env bash
# bench/hot-text.sh: regenerate cmd/static/hot.ld, the code the static
# bpfdelegate runs on its fast paths (attach, run, check, oci-hook untouched
# and delegating), which its link places first (Makefile STATIC_EXE,
# docs/performance.md).
# Maintainer tool, never run by the build or the tests: root, tracefs and
# uprobes; run from the top of a built tree (`make`), then rebuild.
#
# How: a uprobe on every function of a copy of build/bpfdelegate tells
# which ran (exactly, not sampled).  The multiarch string functions
# (__strlen_evex, ...) are left out of that: a uprobe on an EVEX-encoded
# first instruction broke them on 6.18 (snprintf printed "%s"); those come
# from `perf record` samples instead.  The functions are then mapped to
# their input sections (an archive member's .text) through a link map of
# the same link, and written string functions first, then in the order
# they first ran (attach's code ahead of the others').  A stale list costs
# speed only: ld ignores a pattern that matches nothing.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/build/bpfdelegate
out=$top/cmd/static/hot.ld
T=/sys/kernel/tracing
[ "$(id -u)" = 0 ] || { echo "hot-text.sh: needs root (uprobes)" >&2; exit 1; }
[ -x "$bin" ] || { echo "hot-text.sh: build first (make)" >&2; exit 1; }
[ -d $T/events ] || mount -t tracefs nodev $T
tmp=$(mktemp -d /tmp/bpfd-hot.XXXXXX)
# the sleeper's root (host uid 100000) walks through it to the target
chmod 0755 "$tmp"
sleeper=
# Our uprobes out again, one by one ("-:bpfdhot/*" removes nothing on
# 6.18); a left one would pin the deleted copy's inode.
drop_probes() {
	{ echo 0 >$T/events/bpfdhot/enable; } 2>/dev/null || true
	sed -n 's/^p:\(bpfdhot\/[^ ]*\) .*/-:\1/p' $T/uprobe_events >"$tmp/drop"
	cat "$tmp/drop" >>$T/uprobe_events 2>/dev/null || true
}
cleanup() {
	drop_probes
	if [ -n "$sleeper" ]; then
		nsenter -t "$sleeper" -m umount "$tmp/at" 2>/dev/null || true
		kill "$sleeper" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

# The link again, with a map: the same command make ran.
link=$(cd "$top" && make -n -W build/static/main.o build/bpfdelegate | grep -- '-static-pie')
link=${link//-Wl,-T,cmd\/static\/hot.ld/}
(cd "$top" && eval "${link/-o build\/bpfdelegate/-o $tmp/bd} -Wl,-Map=$tmp/map")
cp "$tmp/bd" "$tmp/probe"

# The multiarch variants of libc's string functions, by name.
variant='_(evex|avx|avx2|avx512|erms|sse2|sse4|ssse3|sse42|rtm|movbe)'
# A uprobe per function (by file offset: the text segment maps at its
# file offset in this static-pie), except the multiarch variants.
readelf -sW "$tmp/probe" | awk '$4 == "FUNC" {print $2, $8}' | sort -u -k1,1 |
	grep -Ev "$variant" |
	awk -v f="$tmp/probe" '{printf "p:bpfdhot/f%d %s:0x%s\n", NR, f, $1; print "f" NR, $2 > "'"$tmp"'/names"}' \
		>"$tmp/uprobes"
drop_probes
cat "$tmp/uprobes" >>$T/uprobe_events

mkdir -p "$tmp/at" "$tmp/bundle"
printf '{"ociVersion":"1.0.2","root":{"path":"rootfs"},"linux":{"namespaces":[{"type":"user"}]}}\n' \
	>"$tmp/bundle/config.json"
printf '{"ociVersion":"1.0.2","id":"hot","status":"creating","pid":%d,"bundle":"%s"}\n' \
	$$ "$tmp/bundle" >"$tmp/state.json"
sleeper=$("$top/tests/oci/userns-sleeper.sh")
# the delegating hook too: any x4, and names (which read the kernel's BTF)
"$top/bench/hook-bundle.sh" "$tmp/hb" "$sleeper" "$tmp/at"
"$top/bench/hook-bundle.sh" "$tmp/hn" "$sleeper" "$tmp/at" \
	'{"bpfdelegate.io/cmds": "map_create", "bpfdelegate.io/maps": "array"}'
# paths.sh BINARY [N]: the commands the static binary serves, N times each
# (each must succeed: a path that fails early records less of its code)
cat >"$tmp/paths.sh" <<EOS
set -e
for i in \$(seq \${2:-1}); do
	"\$1" attach --pid $sleeper --target $tmp/at --cmds any --maps any --progs any --attachs any
	nsenter -t $sleeper -m umount $tmp/at
	"\$1" attach --pid $sleeper --target $tmp/at --cmds map_create --maps array
	nsenter -t $sleeper -m umount $tmp/at
	"\$1" run --preset all -- /bin/true
	"\$1" check
	"\$1" check --cmds map_create --maps array
	"\$1" oci-hook <$tmp/state.json
	"\$1" oci-hook <$tmp/hb/state.json
	nsenter -t $sleeper -m umount $tmp/at
	"\$1" oci-hook <$tmp/hn/state.json
	nsenter -t $sleeper -m umount $tmp/at
done >/dev/null 2>&1
EOS

echo 65536 >$T/buffer_size_kb
echo >$T/trace
echo 1 >$T/events/bpfdhot/enable
bash "$tmp/paths.sh" "$tmp/probe"
echo 0 >$T/events/bpfdhot/enable
# In the order they first ran: the start, then each command's own code.
grep -o ' f[0-9]*: ' $T/trace | tr -d ' :' | awk '!seen[$0]++' >"$tmp/hit"
awk 'NR == FNR {name[$1] = $2; next} {print name[$1]}' "$tmp/names" "$tmp/hit" >"$tmp/funcs"

# The multiarch variants, sampled over many runs.
perf record -q -F 20000 -o "$tmp/perf.data" -- bash "$tmp/paths.sh" "$tmp/bd" 100 || true
perf report -i "$tmp/perf.data" --comm bd --sort sym -F sym 2>/dev/null |
	grep -o '\[\.\] \S*' | awk '{print $2}' |
	grep -E "$variant" >"$tmp/variants" || true

# The string functions first (every command runs them), then the others.
python3 - "$tmp/map" "$tmp/probe" "$tmp/variants" "$tmp/funcs" "$out" <<'EOF'
import re, subprocess, sys
mapf, binf, variantsf, funcsf, outf = sys.argv[1:]
txt = open(mapf).read()
i = txt.index('\n.text ')
sec = txt[i:txt.index('\n.fini', i)]
ins = [(int(m.group(2), 16), int(m.group(3), 16), m.group(1), m.group(4))
       for m in re.finditer(r'^ (\.text\S*)\s*\n?\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S+)', sec, re.M)]
syms = {}
for l in subprocess.run(['readelf', '-sW', binf], capture_output=True, text=True).stdout.splitlines():
    p = l.split()
    if len(p) >= 8 and p[3] == 'FUNC':
        syms[p[7]] = int(p[1], 16)
used = []
for name in open(variantsf).read().split() + open(funcsf).read().split():
    a = syms.get(name)
    for st, sz, sn, f in ins if a is not None else []:
        if st <= a < st + sz:
            if (sn, f) not in used:
                used.append((sn, f))
            break
lines = []
for sn, f in used:
    m = re.match(r'(?:.*/)?([^/(]+)\(([^)]+)\)$', f)
    pat = '*%s:%s' % m.groups() if m else '*' + f.split('/')[-1]
    lines.append('\t\t%s(%s)' % (pat, sn))
with open(outf, 'w') as o:
    o.write('/* Generated by bench/hot-text.sh: the input sections the static\n'
            ' * bpfdelegate runs on its fast paths, placed first (Makefile). */\n'
            'SECTIONS\n{\n\t.text.bpfd_hot : {\n' + '\n'.join(lines) +
            '\n\t}\n}\nINSERT BEFORE .text;\n')
print('hot-text.sh: %d input sections in %s' % (len(lines), outf))
EOF
