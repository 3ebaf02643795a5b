# Stage 2 of tests/kernels/vm.sh, PID 1 in the real root: mount what systemd
# mounts, run the command, report on the third serial port (exit status,
# mounts that appeared or went away, processes left, kernel warnings) and
# power off.  The command's output goes to the second serial port.
B=/.vm/busybox
. /.vm/conf
m() { $B mkdir -p "$4" && $B mount -t "$1" -o "$3" "$2" "$4"; }
m proc proc nosuid,nodev,noexec /proc
m sysfs sysfs nosuid,nodev,noexec /sys
m devtmpfs devtmpfs nosuid,mode=755 /dev
m devpts devpts nosuid,noexec,gid=5,mode=620,ptmxmode=000 /dev/pts
m tmpfs tmpfs nosuid,nodev /dev/shm
m tmpfs tmpfs nosuid,nodev,mode=755 /run
# an empty /tmp, not the host's (the -i paths of a private root stay)
[ "$HOSTFS" = 1 ] && m tmpfs tmpfs nosuid,nodev,mode=1777 /tmp
m securityfs securityfs nosuid,nodev,noexec /sys/kernel/security
m cgroup2 cgroup2 nosuid,nodev,noexec,nsdelegate /sys/fs/cgroup
m debugfs debugfs nosuid,nodev,noexec /sys/kernel/debug
m tracefs tracefs nosuid,nodev,noexec /sys/kernel/tracing 2>/dev/null
[ "$BPFFS" = 1 ] && m bpf bpf nosuid,nodev,noexec,mode=700 /sys/fs/bpf
[ -e /dev/ptmx ] || $B ln -sf pts/ptmx /dev/ptmx
$B ln -sf /proc/self/fd /dev/fd
$B ln -sf /proc/self/fd/0 /dev/stdin
$B ln -sf /proc/self/fd/1 /dev/stdout
$B ln -sf /proc/self/fd/2 /dev/stderr
$B mount --make-rshared /
$B hostname vm
$B ip link set lo up 2>/dev/null
# An interface besides lo, as every machine has (a dummy: no traffic):
# run.bats compares what --netns host and --netns new see.
$B ip link add eth0 type dummy 2>/dev/null && $B ip link set eth0 up
for t in /dev/ttyS1 /dev/ttyS2; do $B stty -F $t raw -echo; done
exec 3>/dev/ttyS2
# mount point, fs type, source of every mount
mi() { $B awk '{ for (i = 7; $i != "-"; i++); print $5, $(i+1), $(i+2) }' /proc/1/mountinfo | $B sort; }
# user processes left, PID 1's helpers (run as /.vm/busybox) and kernel threads aside
procs() { $B ps -o pid,args | $B awk 'NR > 1 && $1 != 1 && $2 !~ /^\[/ && $2 !~ /^\/.vm\//'; }
mi >/.vm/mounts.before
echo "t_cmd_start=$($B cut -d' ' -f1 /proc/uptime)" >&3
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb LC_ALL=C.UTF-8
. /.vm/env
SH=/bin/sh
[ "$HOSTFS" = 1 ] && [ -x /bin/bash ] && SH=/bin/bash
# Output through a pipe, as in CI (no tty).  Wait for the command, not for
# the pipe: a process it left behind may hold the pipe open for ever.
$B mkfifo /.vm/out
$B cat /.vm/out >/dev/ttyS1 &
catpid=$!
(cd "$CDIR" && exec $SH /.vm/cmd) </dev/null >/.vm/out 2>&1
rc=$?
i=0
while $B kill -0 $catpid 2>/dev/null && [ $i -lt 20 ]; do
	$B sleep 0.1
	i=$((i + 1))
done
$B kill $catpid 2>/dev/null
echo "t_cmd_end=$($B cut -d' ' -f1 /proc/uptime)" >&3
$B sleep 0.2 # reaped children's mounts go away asynchronously
mi >/.vm/mounts.after
$B diff /.vm/mounts.before /.vm/mounts.after | $B grep -E '^[-+][^-+]' | $B sed 's/^/mounts: /' >&3
procs | $B sed 's/^/left: /' >&3
$B dmesg | $B grep -E 'WARNING:|BUG:|Oops|Call Trace|general protection|kernel panic|refcount_t|unreferenced object' |
	$B sed 's/^/dmesg: /' >&3
echo "rc=$rc" >&3
$B sync
$B poweroff -f
