# The fixed CLI script of the kernel smoke (tests/kernels/smoke.sh), run as
# root inside the VM by busybox sh: BPFD is the binary under test.  Each
# command's output (stdout and stderr) is framed by "@@" lines that
# smoke.sh compares with tests/kernels/expected/<kernel>.txt.
: "${BPFD:?}"
up() { cut -d' ' -f1 /proc/uptime; }
bpf_mounts() { grep -c ' - bpf ' /proc/self/mountinfo; }
# one NAME COMMAND...: run it with a bound, frame its output
one() {
	name=$1
	shift
	echo "@@ begin $name"
	m0=$(bpf_mounts)
	t0=$(up)
	timeout 120 "$@" 2>&1
	rc=$?
	t1=$(up)
	echo "@@ end $name rc=$rc bpf_mounts_left=$(($(bpf_mounts) - m0)) time=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')"
}
echo "@@ kernel $(uname -r)"

one check "$BPFD" check
one run "$BPFD" run --preset all -- true
one run-tc "$BPFD" run --preset tc -- true
one doctor "$BPFD" doctor
one doctor-user su -s /bin/sh user -c "$BPFD doctor"
one explain "$BPFD" explain -22
one names "$BPFD" names

# attach: a sleeper in its own user and mount namespaces, its id maps
# written from outside (0 -> 100000), as tests/oci/userns-sleeper.sh does.
unshare -U -m sleep 600 &
pid=$!
i=0
while [ "$(readlink /proc/$pid/ns/user)" = "$(readlink /proc/self/ns/user)" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
echo '0 100000 65536' >/proc/$pid/uid_map
echo deny >/proc/$pid/setgroups
echo '0 100000 65536' >/proc/$pid/gid_map
# The VM mounts a bpffs at /sys/fs/bpf as systemd does, and the sleeper's
# mount namespace is a copy: attach mounts over it (it has no delegate_*
# option), with or without --replace.
one attach "$BPFD" attach --pid $pid
one attach-replace "$BPFD" attach --pid $pid --replace
kill $pid
wait $pid 2>/dev/null
echo "@@ done"
sleep 1 # busybox timeout watchers poll once a second
