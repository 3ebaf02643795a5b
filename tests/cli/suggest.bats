#!/usr/bin/env bats
# bpfdelegate suggest: the least delegation BPF objects need.  The objects
# are tests/bpf/*.bpf.c, built by the Makefile with clang -target bpf.
# The crucial test runs the real libbpf 1.5 client (tests/libbpf/, see
# libbpf.bats) under `bpfdelegate run` with EXACTLY the suggested
# delegation (it loads), then with each suggested item removed (it fails):
# the suggestion is both sufficient and minimal for the real loader.
load helpers
bats_require_minimum_version 1.5.0

OBJS="$(dirname "$BPFD")/tests/bpf"
CLIENT="$(dirname "$BPFD")/tests/libbpf/client"
CLIENT_OBJ="$(dirname "$BPFD")/tests/libbpf/client.bpf.o"

setup() {
	if [ ! -f "$OBJS/xdp.bpf.o" ]; then
		local why="no $OBJS/xdp.bpf.o (make builds tests/bpf/ with clang)"
		[ "${CI:-}" = true ] && { echo "skip is a failure under CI=true: $why" >&2; return 1; }
		skip "$why"
	fi
	TDIR=$(mktemp -d /tmp/bpfd-suggest-XXXXXX)
}

teardown() {
	[ -n "${TDIR:-}" ] && rm -rf "$TDIR"
	return 0
}

need_client() {
	need_root_tokens
	if [ ! -x "$CLIENT" ]; then
		local why="no $CLIENT ('make libbpf-client' fetches Debian trixie's libbpf-dev)"
		[ "${CI:-}" = true ] && { echo "skip is a failure under CI=true: $why" >&2; return 1; }
		skip "$why"
	fi
}

# The lines that are not comments.
body() { grep -v '^#' <<<"$output"; }

@test "suggest: the default format is bpfdelegate options, each item's reason a comment before it" {
	run "$BPFD" suggest "$OBJS/xdp.bpf.o"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(body)" = "--cmds map_create:prog_load:btf_load --maps array --progs socket_filter:xdp --attachs cgroup_inet_ingress" ]
	# one comment per item (3 cmds, 1 map, 2 progs, 1 attach), last line the options
	[ "$(grep -c '^# ' <<<"$output")" -eq 7 ]
	[ "${lines[-1]}" = "$(body)" ]
	grep -qx "# progs   xdp: program 'xdp_count' (SEC(\"xdp\"))" <<<"$output"
	grep -qx "# maps    array: map 'xdp_seen'" <<<"$output"
	grep -q "^# attachs cgroup_inet_ingress: libbpf's first load .* expected_attach_type 0" <<<"$output"
	grep -q "^# progs   socket_filter: libbpf's first load is a trivial socket filter" <<<"$output"
}

@test "suggest: each object's exact set (tc+tcx, tracing+ringbuf+.bss, cgroup, map-in-map, no BTF)" {
	local o want
	while IFS='|' read -r o want; do
		run "$BPFD" suggest "$OBJS/$o"
		echo "$o: $output"
		[ "$status" -eq 0 ]
		[ "$(body)" = "$want" ]
	done <<'EOF2'
tc.bpf.o|--cmds map_create:prog_load:btf_load --maps hash --progs socket_filter:sched_cls --attachs cgroup_inet_ingress:tcx_ingress
trace.bpf.o|--cmds map_create:prog_load:btf_load --maps array:ringbuf --progs socket_filter:kprobe:tracepoint:raw_tracepoint --attachs cgroup_inet_ingress
cgroup.bpf.o|--cmds prog_load:btf_load --progs socket_filter:cgroup_skb:cgroup_sock:cgroup_sock_addr --attachs cgroup_inet_ingress:cgroup_inet_egress:cgroup_inet_sock_create:cgroup_inet4_connect
mapinmap.bpf.o|--cmds map_create:prog_load:btf_load --maps hash:array_of_maps --progs socket_filter --attachs cgroup_inet_ingress
nobtf.bpf.o|--cmds prog_load --progs socket_filter --attachs cgroup_inet_ingress
EOF2
	run "$BPFD" suggest "$OBJS/mapinmap.bpf.o"
	grep -q "^# maps    hash: the inner map of map-in-map 'outer'" <<<"$output"
	run "$BPFD" suggest "$OBJS/tc.bpf.o"
	grep -qx "# attachs tcx_ingress: program 'tcx_in' (SEC(\"tcx/ingress\")) is loaded with this expected_attach_type" <<<"$output"
}

@test "suggest: several objects add up, each reason names its object" {
	run "$BPFD" suggest "$OBJS/xdp.bpf.o" "$OBJS/tc.bpf.o"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(body)" = "--cmds map_create:prog_load:btf_load --maps hash:array --progs socket_filter:sched_cls:xdp --attachs cgroup_inet_ingress:tcx_ingress" ]
	grep -qx "# progs   xdp: xdp.bpf.o: program 'xdp_count' (SEC(\"xdp\"))" <<<"$output"
	grep -qx "# maps    hash: tc.bpf.o: map 'tc_lens'" <<<"$output"
}

@test "suggest --format mount: the options a bpffs mount takes, accepted by the kernel as they are" {
	need_root_tokens
	run "$BPFD" suggest --format mount "$OBJS/tc.bpf.o"
	echo "$output"
	[ "$status" -eq 0 ]
	local opts
	opts=$(body)
	[ "$opts" = "delegate_cmds=map_create:prog_load:btf_load,delegate_maps=hash,delegate_progs=socket_filter:sched_cls,delegate_attachs=cgroup_inet_ingress:tcx_ingress" ]
	# the kernel parses them (a private mount namespace, a temporary dir)
	run unshare -m --propagation private sh -c 'mount -t bpf -o "$1" bpf "$2" && grep " $2 " /proc/self/mountinfo' sh "$opts" "$TDIR"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q "delegate_cmds=map_create:prog_load:btf_load,delegate_maps=hash,delegate_progs=socket_filter:sched_cls,delegate_attachs=cgroup_inet_ingress:tcx_ingress" <<<"$output"
}

@test "suggest --format systemd: PrivateBPF=yes and BPFDelegate*= lines whose names bpfdelegate's own lookup reads back" {
	need_root_tokens
	run "$BPFD" suggest --format systemd "$OBJS/trace.bpf.o"
	echo "$output"
	[ "$status" -eq 0 ]
	local sd
	sd=$(body)
	[ "$sd" = "PrivateBPF=yes
BPFDelegateCommands=BPFMapCreate,BPFProgLoad,BPFBtfLoad
BPFDelegateMaps=BPFMapTypeArray,BPFMapTypeRingbuf
BPFDelegatePrograms=BPFProgTypeSocketFilter,BPFProgTypeKprobe,BPFProgTypeTracepoint,BPFProgTypeRawTracepoint
BPFDelegateAttachments=BPFCgroupInetIngress" ]
	grep -q '^# .*PrivateUsers=' <<<"$output"
	# The systemd spellings, given to check as LISTs, give the same masks
	# as the suggestion in JSON.
	local c m p a
	c=$(sed -n 's/^BPFDelegateCommands=//p' <<<"$sd")
	m=$(sed -n 's/^BPFDelegateMaps=//p' <<<"$sd")
	p=$(sed -n 's/^BPFDelegatePrograms=//p' <<<"$sd")
	a=$(sed -n 's/^BPFDelegateAttachments=//p' <<<"$sd")
	run "$BPFD" check --json --cmds "$c" --maps "$m" --progs "$p" --attachs "$a"
	[ "$status" -eq 0 ]
	local got want
	got=$(jq -c '[.requested.cmds.list, .requested.maps.list, .requested.progs.list, .requested.attachs.list]' <<<"$output")
	want=$("$BPFD" suggest --json "$OBJS/trace.bpf.o" | jq -c '[.cmds, .maps, .progs, .attachs] | map(join(":"))')
	echo "got $got want $want"
	[ "$got" = "$want" ]
}

@test "suggest --format incus and lxd: their keys, Incus comma-separated, LXD colon-separated with security.delegate_bpf=true" {
	run "$BPFD" suggest --format incus "$OBJS/xdp.bpf.o"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(body)" = "security.bpffs.delegate_cmds=map_create,prog_load,btf_load
security.bpffs.delegate_maps=array
security.bpffs.delegate_progs=socket_filter,xdp
security.bpffs.delegate_attachs=cgroup_inet_ingress" ]
	run "$BPFD" suggest --format lxd "$OBJS/xdp.bpf.o"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(body)" = "security.delegate_bpf=true
security.delegate_bpf.cmd_types=map_create:prog_load:btf_load
security.delegate_bpf.map_types=array
security.delegate_bpf.prog_types=socket_filter:xdp
security.delegate_bpf.attach_types=cgroup_inet_ingress" ]
	# a kind with nothing is left out: no map key for an object without maps
	run "$BPFD" suggest --format lxd "$OBJS/nobtf.bpf.o"
	! grep -q map_types <<<"$output"
}

@test "suggest --json: one valid document with the lists, every item's reason, and every format" {
	run "$BPFD" suggest --json "$OBJS/cgroup.bpf.o"
	echo "$output"
	[ "$status" -eq 0 ]
	jq -e . <<<"$output" >/dev/null
	[ "$(jq -c .progs <<<"$output")" = '["socket_filter","cgroup_skb","cgroup_sock","cgroup_sock_addr"]' ]
	[ "$(jq -c .maps <<<"$output")" = '[]' ]
	[ "$(jq '.items | length' <<<"$output")" -eq 10 ]
	[ "$(jq '[.items[] | select(.reason == "" or .name == null)] | length' <<<"$output")" -eq 0 ]
	[ "$(jq -r '.items[] | select(.name == "cgroup_inet_egress") | .reason' <<<"$output")" = "program 'skb_egress' (SEC(\"cgroup_skb/egress\")): libbpf's expected-attach-type probe passes with cgroup_sock and cgroup_inet_sock_create" ]
	[ "$(jq -r .options <<<"$output")" = "$("$BPFD" suggest "$OBJS/cgroup.bpf.o" | grep -v '^#')" ]
	[ "$(jq -r .mount_options <<<"$output")" = "$("$BPFD" suggest --format mount "$OBJS/cgroup.bpf.o" | grep -v '^#')" ]
	[ "$(jq -r '.lxd["security.delegate_bpf"]' <<<"$output")" = true ]
	[ "$(jq -r '.incus["security.bpffs.delegate_progs"]' <<<"$output")" = socket_filter,cgroup_skb,cgroup_sock,cgroup_sock_addr ]
	[ "$(jq -r '.systemd.BPFDelegateCommands' <<<"$output")" = BPFProgLoad,BPFBtfLoad ]
	# --format json is the same document
	[ "$("$BPFD" suggest --format json "$OBJS/cgroup.bpf.o")" = "$output" ]
}

@test "suggest --verify: check with exactly the suggestion succeeds on this kernel and shows each item" {
	need_root_tokens
	run "$BPFD" suggest --verify "$OBJS/cgroup.bpf.o"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q '^Result: ok' <<<"$output"
	grep -q '^  cgroup_inet_egress$\|^  attachs  cgroup_inet_ingress:cgroup_inet_egress:cgroup_inet_sock_create:cgroup_inet4_connect$' <<<"$output"
	# every one of the 10 items was seen working by check's probes
	[ "$(sed -n '/^Each suggested item/,$p' <<<"$output" | grep -c ' works ')" -eq 10 ]
	run "$BPFD" suggest --verify --json "$OBJS/xdp.bpf.o"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq .verify.ok <<<"$output")" = true ]
	[ "$(jq '.verify.items | length' <<<"$output")" -eq 7 ]
	[ "$(jq '[.verify.items[] | select(.result == "refused")] | length' <<<"$output")" -eq 0 ]
	# check loads xdp only with attach type xdp, which libbpf does not need
	[ "$(jq -r '.verify.items[] | select(.name == "xdp") | .result' <<<"$output")" = "not probed alone" ]
}

@test "suggest --verify: not root is exit 3 with the reason, the suggestion printed first" {
	ensure_test_users
	run as_user bpfdtest "$BPFD" suggest --verify "$OBJS/xdp.bpf.o"
	echo "$output"
	[ "$status" -eq 3 ]
	grep -q '^--cmds map_create' <<<"$output"
}

# run_client OBJ OPTS...: the real libbpf 1.5 client loads OBJ under
# `bpfdelegate run` with the delegation OPTS (nothing else).
run_client() {
	local obj=$1
	shift
	run "$BPFD" run "$@" --netns new -- "$CLIENT" "$obj"
}

# opts_without JSON KIND NAME: the suggestion's options without one item.
opts_without() {
	jq -r --arg dk "$2" --arg d "$3" '
		[["cmds", .cmds], ["maps", .maps], ["progs", .progs], ["attachs", .attachs]]
		| map(.[0] as $k | [$k, (.[1] | map(select($k != $dk or . != $d)) | join(":"))])
		| map(select(.[1] != "") | "--\(.[0])", .[1]) | .[]' <<<"$1"
}

@test "suggest + libbpf 1.5: exactly the suggestion loads each object, and removing any one item makes the load fail" {
	need_client
	local o j k n opts tried=0
	for o in xdp tc trace cgroup mapinmap nobtf; do
		j=$("$BPFD" suggest --json "$OBJS/$o.bpf.o")
		mapfile -t opts < <(opts_without "$j" - -)
		run_client "$OBJS/$o.bpf.o" "${opts[@]}"
		echo "$o with ${opts[*]}: $status"
		[ "$status" -eq 0 ] || { echo "$output"; return 1; }
		grep -q '^loaded ' <<<"$output"
		for k in cmds maps progs attachs; do
			for n in $(jq -r --arg k $k '.[$k][]' <<<"$j"); do
				mapfile -t opts < <(opts_without "$j" "$k" "$n")
				run_client "$OBJS/$o.bpf.o" "${opts[@]}"
				echo "$o without $k $n: $status"
				tried=$((tried + 1))
				if [ "$k/$n" = cmds/btf_load ]; then
					# libbpf goes on without the object's BTF: the
					# client sees the BTF was never loaded (exit 3)
					[ "$status" -eq 3 ] || { echo "$output"; return 1; }
					grep -q '^btf .*created WITHOUT a token (no bpf() call seen)$' <<<"$output"
				else
					[ "$status" -eq 2 ] || { echo "$output"; return 1; }
					grep -q '^client: bpf_object__load: ' <<<"$output"
				fi
			done
		done
	done
	[ "$tried" -eq 45 ]
}

@test "suggest + libbpf 1.5: the client's own object, with exactly the suggestion, loads, attaches and runs" {
	need_client
	local d
	d=$("$BPFD" suggest "$CLIENT_OBJ" | grep -v '^#')
	# shellcheck disable=SC2086
	run "$BPFD" run $d --netns new -- "$CLIENT" --attach "$CLIENT_OBJ"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c 'created with a BPF token$' <<<"$output")" -eq 9 ]
	grep -q '^raw_tp: .bss raw_tp_hits [1-9]' <<<"$output"
	grep -q '^socket filter: counts\[1\] [1-9]' <<<"$output"
	grep -q '^xdp: counts\[2\] [1-9]' <<<"$output"
}

# bad PATH WORDS: exit 2, nothing on stdout, one line on stderr naming PATH
# and WORDS.
bad() {
	run --separate-stderr "$BPFD" suggest "$1"
	echo "out: $output"
	echo "err: $stderr"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "$(wc -l <<<"$stderr")" -eq 1 ]
	[[ "$stderr" == "bpfdelegate: suggest: $1: "*"$2"* ]]
}

@test "suggest: bad input is one clear line and exit 2, never a crash" {
	bad "$TDIR/missing.o" "cannot open it: No such file or directory"
	bad "$TDIR" "a directory, not a BPF object"
	echo 'not an object' >"$TDIR/text.o"
	bad "$TDIR/text.o" "not an ELF file"
	: >"$TDIR/empty.o"
	bad "$TDIR/empty.o" "empty file, not an ELF object"
	bad "$BPFD" "an ELF file for x86-64 (e_machine 62), not a BPF object"
	head -c 2000 "$OBJS/xdp.bpf.o" >"$TDIR/trunc.o"
	bad "$TDIR/trunc.o" "truncated: its section headers end past the end of the file (2000 bytes)"
	truncate -s 65M "$TDIR/huge.o"
	bad "$TDIR/huge.o" "larger than 64 MiB (68157440 bytes)"
	bad "$OBJS/noprog.bpf.o" "no BPF program libbpf would load in it"
	# Debian 12's libbpf 1.1 crashes on this object (found by
	# fuzz_objneeds): the reading runs in a child, the crash is an error.
	# (ASan's SEGV handler is reset in that child.)
	if [ "$(pkg-config --modversion libbpf 2>/dev/null | cut -d. -f1,2)" = 1.1 ]; then
		bad "$BATS_TEST_DIRNAME/../bpf/libbpf11-crash.elf" "libbpf crashed reading it (signal 11, Segmentation fault): a malformed object"
	fi
	# libbpf quotes names from the object as they are (fuzz_objneeds
	# found a program named ";<bytes>\n<bytes>"): its message is passed
	# on escaped, one line, no control byte for the terminal
	bad "$BATS_TEST_DIRNAME/../fuzz/corpus/objneeds/prog-name-newline.elf" "libbpf cannot open it: libbpf: prog ';\x01"
	[[ "$stderr" == *'\x0a'* ]]
	! LC_ALL=C grep -q '[[:cntrl:]]' <<<"$stderr"
	mkfifo "$TDIR/fifo"
	run timeout 5 "$BPFD" suggest "$TDIR/fifo"
	[ "$status" -eq 2 ]
	grep -q "not a regular file" <<<"$output"
	bad /dev/null "not a regular file (a device, FIFO or socket)"
	# one bad object among good ones: nothing printed but the error
	run --separate-stderr "$BPFD" suggest "$OBJS/xdp.bpf.o" "$TDIR/text.o"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
}

@test "suggest: usage errors are exit 2" {
	run "$BPFD" suggest
	[ "$status" -eq 2 ]
	grep -q 'a BPF object file is needed' <<<"$output"
	run "$BPFD" suggest --format yaml "$OBJS/xdp.bpf.o"
	[ "$status" -eq 2 ]
	grep -q "unknown format 'yaml' (one of options, mount, systemd, incus, lxd, json)" <<<"$output"
	run "$BPFD" suggest --format mount --json "$OBJS/xdp.bpf.o"
	[ "$status" -eq 2 ]
	run "$BPFD" suggest --help
	[ "$status" -eq 0 ]
	grep -q '^ bpfdelegate suggest \[options\] OBJECT.bpf.o...' <<<"$output"
}

@test "explain --object: inside run, reads the token and names each missing item with the option that adds it" {
	need_root_tokens
	run "$BPFD" run --preset tracing -- "$BPFD" explain --object "$OBJS/xdp.bpf.o"
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q "needs 7 items; the bpffs at /sys/fs/bpf delegates (read from a token made from it):" <<<"$output"
	grep -q '^Missing, 1 of 7:$' <<<"$output"
	grep -qx "  progs   xdp: program 'xdp_count' (SEC(\"xdp\"))" <<<"$output"
	grep -qx "          add: --progs xdp (mount option delegate_progs=xdp)" <<<"$output"
	# with exactly the suggestion, nothing is missing
	local d
	d=$("$BPFD" suggest "$OBJS/xdp.bpf.o" | grep -v '^#')
	# shellcheck disable=SC2086
	run "$BPFD" run $d -- "$BPFD" explain --json --object "$OBJS/xdp.bpf.o"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r .source <<<"$output")" = token ]
	[ "$(jq .complete <<<"$output")" = true ]
	[ "$(jq '.missing | length' <<<"$output")" -eq 0 ]
	[ "$(jq -r .delegated.options <<<"$output")" = "$d" ]
}

@test "explain --object: a host bpffs (no token there) is read from its mount options; --path and LIBBPF_BPF_TOKEN_PATH" {
	need_root_tokens
	run unshare -m --propagation private sh -c '
		mount -t bpf -o delegate_cmds=map_create:prog_load,delegate_progs=xdp bpf "$2" || exit 9
		"$1" explain --json --object "$3" --path "$2" &&
		LIBBPF_BPF_TOKEN_PATH="$2" "$1" explain --object "$3"' sh "$BPFD" "$TDIR" "$OBJS/xdp.bpf.o"
	echo "$output"
	[ "$status" -eq 0 ]
	local j
	j=$(sed -n '/^{/,/^}/p' <<<"$output")
	[ "$(jq -r .source <<<"$j")" = "mount options" ]
	[ "$(jq -r .path <<<"$j")" = "$TDIR" ]
	jq -r .note <<<"$j" | grep -q 'Operation not supported: a bpffs of the initial user namespace'
	[ "$(jq -c '[.missing[].option]' <<<"$j")" = '["--maps array","--cmds btf_load","--progs socket_filter","--attachs cgroup_inet_ingress"]' ]
	[ "$(jq -c '[.missing[].mount_option]' <<<"$j")" = '["delegate_maps=array","delegate_cmds=btf_load","delegate_progs=socket_filter","delegate_attachs=cgroup_inet_ingress"]' ]
	# the text form, the path from LIBBPF_BPF_TOKEN_PATH
	grep -q "the bpffs at $TDIR delegates (read from its mount options):" <<<"$output"
	grep -q '^Missing, 4 of 7:$' <<<"$output"
}

@test "explain --object: not a bpffs is exit 1, a bad object exit 2, an errno with it a usage error" {
	run --separate-stderr "$BPFD" explain --object "$OBJS/xdp.bpf.o" --path "$TDIR"
	echo "$stderr"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "bpfdelegate: explain: $TDIR: not a bpffs mount" ]
	run --separate-stderr "$BPFD" explain --object "$TDIR/none.o"
	[ "$status" -eq 2 ]
	[ "$stderr" = "bpfdelegate: explain: $TDIR/none.o: cannot open it: No such file or directory" ]
	run "$BPFD" explain --object "$OBJS/xdp.bpf.o" -22
	[ "$status" -eq 2 ]
	grep -q 'explain: --object takes no errno or message' <<<"$output"
}
