# Shared helpers for the bats CLI tests.
BPFD="${BPFDELEGATE:-$BATS_TEST_DIRNAME/../../build/bpfdelegate}"
HELPERS="$(dirname "$BPFD")/tests/helpers"
# The same CLI linked with the library built with -DBPFD_TEST_FAULTS: the
# only binary that reads BPFDELEGATE_TEST_FAULT (see tests/README.md).
BPFD_FAULTS="$(dirname "$BPFD")/tests/bpfdelegate-faults"

# kernel_has_tokens: true on a 6.9+ kernel (BPF tokens came in 6.9).
kernel_has_tokens() {
	local rel maj min
	rel=$(uname -r); maj=${rel%%.*}; min=${rel#*.}; min=${min%%.*}
	[ "$maj" -gt 6 ] || { [ "$maj" -eq 6 ] && [ "$min" -ge 9 ]; }
}

# A test that cannot apply to the running kernel is "not applicable", not
# skipped: bats prints `ok N NAME # skip not applicable: WHY`, and
# tests/run.sh counts it apart from the skips and never as a failure under
# CI=true (tests/README.md, "Not applicable").  Only for what the kernel
# decides; a missing tool or privilege is a skip (a failure under CI=true).
not_applicable() {
	skip "not applicable: $*"
}

# Skip, or fail under CI=true, when the real thing cannot run here.  On a
# kernel older than 6.9 a token test is not applicable: what such a kernel
# does instead is asserted by tests/cli/oldkernel.bats.
need_root_tokens() {
	local why=""
	[ "$(id -u)" = 0 ] || why="needs root"
	if [ -n "$why" ]; then
		[ "${CI:-}" = true ] && { echo "skip is a failure under CI=true: $why" >&2; return 1; }
		skip "$why"
	fi
	kernel_has_tokens ||
		not_applicable "kernel $(uname -r) predates BPF tokens (6.9); asserted by tests/cli/oldkernel.bats"
}

# list_error STATUS LINE...: a LIST or preset name was refused, and LINE...
# is what was printed.  On 6.9+: exit 2, the message, then "Try ...".  On a
# kernel without tokens (bpfdelegate(1), EXIT STATUS): exit 4, the kernel and
# 6.9 named first, then the message as a note.  Sets MSG to the message line.
list_error() {
	local st=$1
	shift
	echo "# status $st: $*"
	[ $# -eq 2 ] || return 1
	if kernel_has_tokens; then
		[ "$st" -eq 2 ] || return 1
		[[ "$2" == "Try '"* ]] || return 1
		MSG=$1
	else
		[ "$st" -eq 4 ] || return 1
		[[ "$1" == *"this kernel ($(uname -r)) lacks BPF token support: Linux 6.9 or newer is needed" ]] || return 1
		[[ "$2" == *": note: "* ]] || return 1
		MSG=$2
	fi
}

# Fault-injecting tests need the test build of the CLI (`make test` makes it).
need_faults() {
	need_root_tokens
	[ -x "$BPFD_FAULTS" ] && return 0
	[ "${CI:-}" = true ] && { echo "skip is a failure under CI=true: no $BPFD_FAULTS" >&2; return 1; }
	skip "no $BPFD_FAULTS (make $BPFD_FAULTS)"
}

# The rest of the test runs the fault-injecting build as $BPFD / $BPFD_ABS.
use_faults() {
	need_faults || return 1
	BPFD=$BPFD_FAULTS
	BPFD_ABS=$(realpath "$BPFD_FAULTS")
}

bpf_mount_count() {
	awk '$0 ~ / - bpf / {n++} END {print n+0}' /proc/self/mountinfo
}

# Processes whose environment carries our marker (leaked children).
marked_procs() {
	grep -lsa "BPFD_TEST_MARK=$1" /proc/[0-9]*/environ 2>/dev/null | grep -v "/proc/$$/" || true
}

# Wait (bounded, 10 s) until no marked process remains; print leftovers.
wait_no_marked() {
	local i
	for i in $(seq 100); do
		[ -z "$(marked_procs "$1")" ] && return 0
		sleep 0.1
	done
	marked_procs "$1"
	return 1
}

# The OCI test helpers (bundle builder, userns sleeper, spy hook).
OCI="$(cd "$BATS_TEST_DIRNAME/../oci" && pwd)"

# not_mountpoint PATH: fails when PATH is a mount point on the host.
not_mountpoint() {
	! mountpoint -q "$1"
}

# A new mount namespace copies the one it was made from: on a machine with a
# bpffs at /sys/fs/bpf (any systemd machine) every process the tests start in
# one sees that bpffs too.  These list only the bpffs instances the tests' own
# mount namespace does not have (their superblock, field 3, differs), so the
# tests pass with and without a bpffs at the host's /sys/fs/bpf; tests/run.sh
# runs them both ways.
# new_bpf_mounts FILE: the mount points (field 5) of such bpf mounts in the
# mountinfo FILE ("-": stdin).
new_bpf_mounts() {
	awk 'NR == FNR { if ($0 ~ / - bpf /) own[$3] = 1; next }
	     $0 ~ / - bpf / && !($3 in own) { print $5 }' /proc/self/mountinfo "$1"
}

# ns_bpf_mounts PID: the same for PID's mount namespace, seen whole (not
# only below PID's root, as /proc/PID/mountinfo shows it).
ns_bpf_mounts() {
	nsenter -t "$1" -m cat /proc/self/mountinfo | new_bpf_mounts -
}

# ns_bpf_count PID: how many.
ns_bpf_count() {
	ns_bpf_mounts "$1" | wc -l
}

# Test clean-up: kill every pid in PIDS, detach whatever is mounted under
# $T on the host, remove $T.
kill_pids_umount_tmp() {
	local p m
	for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	# A setup that skipped before making $T: with T empty every mount
	# point "starts with $T", and each would be detached (/proc, /sys and
	# the cgroups of the whole machine went so once, from serve.bats).
	[ -n "${T:-}" ] || return 0
	for m in $(awk -v t="$T" 'index($5, t) == 1 {print $5}' /proc/self/mountinfo | sort -r); do
		umount -l "$m" 2>/dev/null || true
	done
	rm -rf "$T"
}

# ---- rootless tests (issue 12): unprivileged users made by the suite ----
# bpfdtest (in group bpfdtestgrp) and bpfdtest2; created once and kept
# (uids chosen by useradd).  as_user USER CMD... runs CMD as that user
# with its groups, no capability, the environment kept.
BPFD_TEST_USER=bpfdtest
BPFD_TEST_USER2=bpfdtest2
BPFD_TEST_GROUP=bpfdtestgrp
ensure_test_users() {
	getent group "$BPFD_TEST_GROUP" >/dev/null || groupadd "$BPFD_TEST_GROUP"
	id "$BPFD_TEST_USER" >/dev/null 2>&1 ||
		useradd -M -d /nonexistent -s /bin/sh -G "$BPFD_TEST_GROUP" "$BPFD_TEST_USER"
	id "$BPFD_TEST_USER2" >/dev/null 2>&1 ||
		useradd -M -d /nonexistent -s /bin/sh "$BPFD_TEST_USER2"
}
as_user() {
	local u=$1
	shift
	setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups -- "$@"
}

# policy LINE...: the test build's whole policy file ($POLDIR/policy),
# root-owned (the tests run as root) and 0644.
policy() {
	printf '%s\n' "$@" >"$POLDIR/policy"
	chmod 0644 "$POLDIR/policy"
}

# start_service [ENV=VALUE...]: the test build's service in the foreground
# ($SERVE_TIMEOUT s per request, default 2; $SERVE_PREFIX before it), its
# log in $T/serve.log and its pid in $SVC, waited for until $SOCK answers
# (bounded: 5 s).
start_service() {
	env "$@" ${SERVE_PREFIX:-} "$BPFD" serve --timeout "${SERVE_TIMEOUT:-2}" \
		>"$T/serve.log" 2>&1 3>&- &
	SVC=$!
	local i
	for i in $(seq 50); do
		[ -S "$SOCK" ] && grep -q 'serving on' "$T/serve.log" && return 0
		sleep 0.1
	done
	cat "$T/serve.log"
	return 1
}

# podman_conf EVENTS_LOG: $T/containers.conf (CONTAINERS_CONF) for the
# podman tests: runc, cgroupfs, no default ulimits, k8s-file logs, events
# in the file EVENTS_LOG (no journal).
podman_conf() {
	cat >"$T/containers.conf" <<-EOF
		[containers]
		default_ulimits = []
		log_driver = "k8s-file"
		[engine]
		runtime = "runc"
		cgroup_manager = "cgroupfs"
		events_logger = "file"
		events_logfile_path = "$1"
	EOF
}

# podman_fixture BPFD APPLET...: what the podman tests share, in $T (whose
# hooks/ and rootfs/bin/ exist): the installed hook definition pointing at
# BPFD (hooks/bpfdelegate.json); the seccomp profile docs/oci.md shows,
# podman's default with bpf() allowed for CAP_BPF holders (the default
# allows it only with CAP_SYS_ADMIN), as seccomp-bpf.json; busybox and its
# APPLETs in rootfs/bin.
podman_fixture() {
	local bpfd=$1 a
	shift
	sed "s|/usr/local/bin/bpfdelegate|$bpfd|" \
		"$BATS_TEST_DIRNAME/../../docs/oci-hooks.d/bpfdelegate.json" >"$T/hooks/bpfdelegate.json"
	jq '.syscalls |= (map(.names -= ["bpf"] | select(.names | length > 0))
		+ [{names: ["bpf"], action: "SCMP_ACT_ALLOW", includes: {caps: ["CAP_BPF"]}}])' \
		/usr/share/containers/seccomp.json >"$T/seccomp-bpf.json"
	cp /bin/busybox "$T/rootfs/bin/busybox"
	for a in "$@"; do ln -s busybox "$T/rootfs/bin/$a"; done
}
