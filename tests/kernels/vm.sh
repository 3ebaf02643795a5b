#!/usr/bin/env bash
# vm.sh: the real-kernel harness of bpfdelegate.  Fetches Debian's kernels
# and boots one under qemu with a throw-away initramfs, runs one command
# inside as root and reports its exit status, plus the mounts and processes
# it left behind.
#
#   tests/kernels/vm.sh fetch KERNEL     # fetch (once; cached) and print its dir
#   tests/kernels/vm.sh [options] KERNEL -- COMMAND...
#
# KERNEL: 5.10 (Debian bullseye), 6.1 (bookworm) or 6.12 (trixie); the suite
# name works too.  Kernels come from Debian's archive through a private apt
# configuration under the cache (the system's sources are never touched) and
# stay there: $BPFD_KERNEL_CACHE, default /var/tmp/bpfdelegate-kernels.
# BPFD_KERNEL_REFRESH=1 fetches again (a newer point release).
#
# Options:
#   -i PATH    put the host file or directory PATH at the same path in the VM,
#              with the shared libraries of every ELF file in it (ldd)
#   --hostfs   the host's / read-only through virtio-9p under a tmpfs overlay
#              (writes stay in the VM): bash, bats, runc, jq, the build tree
#              are all there.  Without it the root is busybox + the -i paths.
#   --no-bpffs do not mount a bpffs on /sys/fs/bpf (systemd does; default: do)
#   -C DIR     working directory (default /)
#   -e VAR=VAL environment for COMMAND (repeatable)
#   -m MEM     guest memory (default 1G, 2G with --hostfs)
#   -t SECS    stop the VM after SECS (default 900): exit 124
#   -v         copy the kernel console to stderr
#   -k         keep the work directory
#
# COMMAND: one argument is a shell script; several are words, quoted.  It
# runs with /bin/sh (busybox ash; bash with --hostfs), stdout and stderr
# merged through a pipe, as in CI.  Afterwards stderr gets "vm:" lines:
# mounts that appeared or went away, processes left behind, kernel
# WARN/BUG/Oops lines, and the times.
#
# Exit status: COMMAND's; 124 timeout; 125 the VM ended without reporting
# (the console's tail is printed); 2 usage or set-up error.
#
# Acceleration (BPFD_VM_ACCEL=kvm|tcg overrides): KVM only where /dev/kvm is
# a real VMX/SVM KVM.  A /dev/kvm from kvm_pvm (nested "pagetable-based VM"
# hosts) only runs PVM-enlightened guests: a stock Debian kernel spins in its
# bzImage decompressor.  Under TCG the guest's own XZ/ZSTD decompression
# costs 5-15 s, so the uncompressed vmlinux is extracted once (cached next to
# the vmlinuz) and booted through its PVH entry.
#
# Requires qemu-system-x86 and busybox-static (make deps-kernels).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/tools/private-apt.sh
. "$HERE/../tools/private-apt.sh"
CACHE=${BPFD_KERNEL_CACHE:-/var/tmp/bpfdelegate-kernels}
BUSYBOX=${BPFD_VM_BUSYBOX:-/bin/busybox}
QEMU=${BPFD_VM_QEMU:-qemu-system-x86_64}

die() { echo "vm: $*" >&2; exit 2; }
now() { date +%s.%N; }
is_elf() { [ "$(head -c4 "$1" 2>/dev/null | od -An -c | tr -d ' ')" = 177ELF ]; }

suite_of() {
	case $1 in
	5.10 | bullseye) echo bullseye ;;
	6.1 | bookworm) echo bookworm ;;
	6.12 | trixie) echo trixie ;;
	*) return 1 ;;
	esac
}

# ---------------------------------------------------------------- fetch
# linux-image-<abi>-amd64(-unsigned) of SUITE (and SUITE-security, where the
# newest point release is), extracted under $CACHE/SUITE.
fetch() {
	local suite=$1 apt=$CACHE/apt uri sec src img deb
	local dir=$CACHE/$suite
	if [ "${BPFD_KERNEL_REFRESH:-0}" != 1 ] && ls "$dir"/boot/vmlinuz-* >/dev/null 2>&1; then
		echo "$dir"
		return 0
	fi
	# The mirror the system's own apt sources use.
	uri=$(papt_mirror)
	sec=${uri%/debian}/debian-security
	src=$apt/$suite.sources
	# Every apt path private: lists, cache, status; no sources.list.d.
	papt_setup "$apt" "$src" "$apt/lists/$suite"
	local o=("${PAPT_OPTS[@]}")
	cat >"$src" <<-EOF
		Types: deb
		URIs: $uri
		Suites: $suite
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

		Types: deb
		URIs: $sec
		Suites: $suite-security
		Components: main
		Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF
	apt-get "${o[@]}" update -qq >&2 || die "apt-get update for $suite failed"
	# linux-image-amd64 depends on the versioned image; its -unsigned twin
	# has the same kernel without the signed-shim packaging.
	img=$(apt-cache "${o[@]}" depends linux-image-amd64 |
		awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
	[ -n "$img" ] || die "no linux-image-amd64 in $suite"
	apt-cache "${o[@]}" show "$img-unsigned" >/dev/null 2>&1 && img=$img-unsigned
	(cd "$apt/debs" && apt-get "${o[@]}" download "$img" >&2) || die "apt-get download $img failed"
	deb=$(ls -t "$apt/debs/${img}"_*.deb | head -1)
	rm -rf "$dir.new"
	mkdir -p "$dir.new"
	dpkg-deb -x "$deb" "$dir.new"
	basename "$deb" >"$dir.new/package"
	rm -f "$deb" # the extracted tree is the cache
	rm -rf "$dir"
	mv "$dir.new" "$dir"
	echo "$dir"
}

# The kernel's own scripts/extract-vmlinux: the first xz, zstd or gzip
# stream in the bzImage that unpacks to an ELF file.
extract_vmlinux() {
	local img=$1 out=$2 s sig cmd pos
	for s in 'FD377A585A00:xz -dc' '28B52FFD:zstd -dc' '1F8B0800:gzip -dc'; do
		cmd=${s#*:}
		sig=$(echo "${s%%:*}" | sed 's/../\\x&/g')
		for pos in $(LC_ALL=C grep -obUaP "$sig" "$img" | cut -d: -f1); do
			tail -c +$((pos + 1)) "$img" | $cmd >"$out.$$" 2>/dev/null || true
			if is_elf "$out.$$"; then
				mv "$out.$$" "$out" # atomic: another run may be extracting too
				return 0
			fi
		done
	done
	rm -f "$out.$$"
	return 1
}

if [ "${1:-}" = fetch ]; then
	[ $# -eq 2 ] || die "usage: vm.sh fetch KERNEL"
	suite=$(suite_of "$2") || die "unknown kernel '$2' (5.10, 6.1, 6.12)"
	mkdir -p "$CACHE"
	exec 9>"$CACHE/lock"
	flock 9
	fetch "$suite"
	exit 0
fi

# ---------------------------------------------------------------- options
INCLUDES=() ENVS=() HOSTFS=0 BPFFS=1 CDIR=/ MEM="" TIMEOUT=900 VERBOSE=0 KEEP=0
while [ $# -gt 0 ]; do
	case $1 in
	-i) INCLUDES+=("$2"); shift 2 ;;
	--hostfs) HOSTFS=1; shift ;;
	--no-bpffs) BPFFS=0; shift ;;
	-C) CDIR=$2; shift 2 ;;
	-e) ENVS+=("$2"); shift 2 ;;
	-m) MEM=$2; shift 2 ;;
	-t) TIMEOUT=$2; shift 2 ;;
	-v) VERBOSE=1; shift ;;
	-k) KEEP=1; shift ;;
	-h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	--) shift; break ;;
	-*) die "unknown option $1" ;;
	*) break ;;
	esac
done
K=${1:-}
[ $# -gt 0 ] && shift
[ "${1:-}" = -- ] && shift
[ -n "$K" ] && [ $# -gt 0 ] || die "usage: vm.sh [options] KERNEL -- COMMAND... (-h: help)"
[ -n "$MEM" ] || { [ $HOSTFS = 1 ] && MEM=2G || MEM=1G; }
command -v "$QEMU" >/dev/null || die "$QEMU missing: make deps-kernels (qemu-system-x86)"
[ -x "$BUSYBOX" ] || die "$BUSYBOX missing: make deps-kernels (busybox-static)"
ACCEL=${BPFD_VM_ACCEL:-auto}
if [ "$ACCEL" = auto ]; then
	ACCEL=tcg
	if [ -w /dev/kvm ] && { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then
		ACCEL=kvm
	fi
fi
case $ACCEL in
kvm) [ -w /dev/kvm ] || die "/dev/kvm not usable" ;;
tcg) ;;
*) die "BPFD_VM_ACCEL: kvm or tcg" ;;
esac

# ---------------------------------------------------------------- kernel
suite=$(suite_of "$K") || die "unknown kernel '$K' (5.10, 6.1, 6.12)"
mkdir -p "$CACHE"
KDIR=$(
	exec 9>"$CACHE/lock"
	flock 9
	fetch "$suite"
)
VMLINUZ=$(ls "$KDIR"/boot/vmlinuz-* | head -1)
KVER=${VMLINUZ##*/vmlinuz-}
VMLINUX=$KDIR/boot/vmlinux-$KVER
if [ ! -s "$VMLINUX" ]; then
	extract_vmlinux "$VMLINUZ" "$VMLINUX" || VMLINUX=$VMLINUZ
fi
MODDIR=$KDIR/lib/modules/$KVER
[ -d "$MODDIR" ] || MODDIR=$KDIR/usr/lib/modules/$KVER

# ---------------------------------------------------------------- root
T0=$(now)
TMPD=${BPFD_VM_TMP:-$CACHE/tmp}
mkdir -p "$TMPD"
W=$(mktemp -d "$TMPD/vm.XXXXXX")
QPID=
TAILPID=
OUTPID=
cleanup() {
	[ -n "$TAILPID" ] && kill "$TAILPID" 2>/dev/null
	[ -n "$OUTPID" ] && kill "$OUTPID" 2>/dev/null
	[ -n "$QPID" ] && kill "$QPID" 2>/dev/null && wait "$QPID" 2>/dev/null
	if [ $KEEP = 1 ]; then echo "vm: kept $W" >&2; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
R=$W/root
# The host's merged-/usr links, so that copied library paths resolve alike.
for d in bin sbin lib lib32 lib64 libx32; do
	if [ -L "/$d" ]; then
		mkdir -p "$R/$(readlink "/$d")"
		ln -s "$(readlink "/$d")" "$R/$d"
	fi
done
mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,run,tmp,root,home/user} \
	"$R"/{newroot,lower,upper,vm/mod}
chmod 1777 "$R/tmp"

# Copy host path $1 to the same path in the root: a symlink stays a symlink
# and its target comes too; never write through a link already there.
put() {
	local src=$1 dst=$R$1 tgt
	[ -e "$src" ] || { echo "vm: warning: $src missing" >&2; return 0; }
	mkdir -p "$(dirname "$dst")"
	if [ -d "$src" ] && [ ! -L "$src" ]; then
		mkdir -p "$dst"
		cp -a "$src/." "$dst/"
	elif [ -L "$src" ]; then
		rm -f "$dst"
		cp -a "$src" "$dst"
		tgt=$(readlink -f "$src")
		[ "$tgt" = "$src" ] || put "$tgt"
	else
		rm -f "$dst"
		cp -L "$src" "$dst"
	fi
}
# The shared libraries of every ELF file under the given paths.
put_libs() {
	local f lib
	while IFS= read -r -d '' f; do
		is_elf "$f" || continue
		{ ldd "$f" 2>/dev/null || true; } | { grep -oE '(^|[[:space:]])/[^ ]+' || true; } |
			tr -d ' \t' | while read -r lib; do
			[ -e "$R$lib" ] || put "$lib"
		done
	done < <(find "$@" -type f -print0 2>/dev/null)
}

cp "$BUSYBOX" "$R/bin/busybox"
MODS=()
if [ $HOSTFS = 0 ]; then
	for p in "${INCLUDES[@]+"${INCLUDES[@]}"}"; do put "$(realpath -s "$p")"; done
	put_libs "$R"
	"$BUSYBOX" --list-full | while read -r a; do
		if [ ! -e "$R/$a" ] && [ ! -L "$R/$a" ]; then
			mkdir -p "$R/$(dirname "$a")"
			ln -s /bin/busybox "$R/$a"
		fi
	done
	cat >"$R/etc/passwd" <<-'EOF'
		root:x:0:0:root:/root:/bin/sh
		user:x:1000:1000:user:/home/user:/bin/sh
		nobody:x:65534:65534:nobody:/nonexistent:/bin/false
	EOF
	printf 'root:x:0:\nuser:x:1000:\nnogroup:x:65534:\n' >"$R/etc/group"
	chown 1000:1000 "$R/home/user"
	printf '127.0.0.1 localhost vm\n' >"$R/etc/hosts"
else
	# Debian builds virtio-pci, 9p and overlayfs as modules.
	MODS=(virtio_pci 9pnet_virtio 9p overlay)
	[ ${#INCLUDES[@]} -eq 0 ] || echo "vm: -i ignored with --hostfs (the host's / is there)" >&2
fi

# ---------------------------------------------------------------- modules
# Dependencies from each module's own .modinfo "depends=" (decompressed
# first: trixie ships .ko.xz); built-in modules are skipped.
declare -A MODDONE=()
mod_file() {
	find "$MODDIR/kernel" \( -name "$1.ko" -o -name "$1.ko.xz" -o -name "$1.ko.zst" \
		-o -name "$1.ko.gz" \) -print -quit
}
add_mod() {
	local name=${1//-/_} f out dep
	[ -z "${MODDONE[$name]:-}" ] || return 0
	MODDONE[$name]=1
	f=$(mod_file "$name")
	[ -n "$f" ] || f=$(mod_file "${name//_/-}")
	if [ -z "$f" ]; then
		grep -qE "/(${name}|${name//_/-})\.ko" "$MODDIR/modules.builtin" 2>/dev/null ||
			echo "vm: warning: module $name not found for $KVER" >&2
		return 0
	fi
	out=$R/vm/mod/$name.ko
	case $f in
	*.xz) xz -dc "$f" >"$out" ;;
	*.zst) zstd -qdc "$f" >"$out" ;;
	*.gz) gzip -dc "$f" >"$out" ;;
	*) cp "$f" "$out" ;;
	esac
	for dep in $(tr '\0' '\n' <"$out" | sed -n 's/^depends=//p' | head -1 | tr , ' '); do
		add_mod "$dep"
	done
	echo "$name" >>"$R/vm/modules"
}
# dummy: vm-stage2.sh's eth0 (an interface besides lo, as on a machine)
MODS+=(dummy)
for m in "${MODS[@]+"${MODS[@]}"}"; do add_mod "$m"; done
touch "$R/vm/modules"

# ---------------------------------------------------------------- scripts
{
	if [ $# -eq 1 ]; then
		printf '%s\n' "$1"
	else
		for a in "$@"; do printf "'%s' " "${a//\'/\'\\\'\'}"; done
		echo
	fi
} >"$R/vm/cmd"
: >"$R/vm/env"
for e in "${ENVS[@]+"${ENVS[@]}"}"; do printf 'export %q\n' "$e" >>"$R/vm/env"; done
printf 'HOSTFS=%s\nBPFFS=%s\nCDIR=%q\n' $HOSTFS $BPFFS "$CDIR" >"$R/vm/conf"
cp "$HERE/vm-init.sh" "$R/init"
cp "$HERE/vm-stage2.sh" "$R/vm/stage2"
chmod 755 "$R/init"

(cd "$R" && find . -mindepth 1 | LC_ALL=C sort | "$BUSYBOX" cpio -o -H newc 2>/dev/null) >"$W/initrd"
TI=$(now)

# ---------------------------------------------------------------- boot
# TCG runs every vCPU on one host thread: with thread=multi a 6.12 guest was
# seen to die of "Oops: int3" when one vCPU ran stale translated code at a
# static-key site another vCPU had just re-patched (text_poke_bp).
if [ "$ACCEL" = kvm ]; then
	QARGS=(-accel kvm -cpu host)
else
	QARGS=(-accel "tcg,thread=single" -cpu max)
fi
# no_timer_check: under TCG on a loaded host, 6.1's IO-APIC timer check
# can miss its ticks and panic the boot ("IO-APIC + timer doesn't work!",
# seen in a CI run); the usual setting for virtual machines.
QARGS+=(-smp 2 -m "$MEM" -M pc -nodefaults -no-user-config -display none -no-reboot
	-monitor none -kernel "$VMLINUX" -initrd "$W/initrd"
	-append "console=ttyS0 panic=-1 quiet oops=panic no_timer_check"
	-serial "file:$W/console" -serial "file:$W/out" -serial "file:$W/meta")
if [ $HOSTFS = 1 ]; then
	QARGS+=(-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap")
fi
: >"$W/console"
if [ $VERBOSE = 1 ]; then
	tail -n +1 -f "$W/console" >&2 &
	TAILPID=$!
fi
"$QEMU" "${QARGS[@]}" </dev/null >"$W/qemu.log" 2>&1 &
QPID=$!
# The command's output as it comes (a full test run takes many minutes).
: >"$W/out"
tail -n +1 -s 0.5 -f --pid="$QPID" "$W/out" &
OUTPID=$!
DEADLINE=$(($(date +%s) + TIMEOUT))
while kill -0 "$QPID" 2>/dev/null; do
	if [ "$(date +%s)" -ge "$DEADLINE" ]; then
		kill "$QPID"
		break
	fi
	sleep 0.1
done
wait "$QPID" 2>/dev/null || true
QPID=
T1=$(now)
if [ -n "$TAILPID" ]; then
	sleep 0.1
	kill "$TAILPID" 2>/dev/null || true
	TAILPID=
fi

wait "$OUTPID" 2>/dev/null || true
OUTPID=
# the command's last line may lack its newline; keep "vm:" lines apart
[ ! -s "$W/out" ] || [ -z "$(tail -c1 "$W/out")" ] || echo
grep -E '^(mounts|left|dmesg|modules): ' "$W/meta" | sed 's/^/vm: /' >&2 || true
RC=$(sed -n 's/^rc=\([0-9]*\).*/\1/p' "$W/meta" | tail -1)
tc0=$(sed -n 's/^t_cmd_start=//p' "$W/meta")
tc1=$(sed -n 's/^t_cmd_end=//p' "$W/meta")
awk -v k="$KVER" -v a="$ACCEL" -v t0="$T0" -v ti="$TI" -v t1="$T1" -v c0="$tc0" -v c1="$tc1" 'BEGIN {
	printf "vm: %s (%s): initramfs %.1fs, boot to command %ss, command %s, total %.1fs\n",
		k, a, ti - t0, c0 == "" ? "?" : c0,
		(c0 == "" || c1 == "") ? "?" : sprintf("%.1fs", c1 - c0), t1 - t0 }' >&2
if [ -z "$RC" ]; then
	if [ "$(date +%s)" -ge "$DEADLINE" ]; then
		echo "vm: timeout after ${TIMEOUT}s" >&2
		RC=124
	else
		echo "vm: the VM ended without reporting; console tail:" >&2
		RC=125
	fi
	tail -n 30 "$W/console" >&2
	tail -n 5 "$W/qemu.log" >&2
fi
exit "$RC"
