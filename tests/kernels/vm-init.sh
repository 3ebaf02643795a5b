#!/bin/busybox sh
# Stage 1 of tests/kernels/vm.sh, PID 1 in the initramfs: load the modules,
# build the real root (a tmpfs copy of the initramfs, or the host's / over
# 9p under a tmpfs overlay) and switch_root to it.  The root must not be the
# initramfs itself: rootfs cannot be pivot_root'ed, and runc does that.
B=/bin/busybox
. /vm/conf
$B mount -t proc proc /proc
$B mount -t devtmpfs dev /dev
for m in $($B cat /vm/modules); do
	$B insmod /vm/mod/$m.ko || echo "modules: insmod $m failed" >/dev/ttyS2
done
if [ "$HOSTFS" = 1 ]; then
	$B mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=262144 hostroot /lower || exit 1
	$B mount -t tmpfs -o mode=755 upper /upper
	$B mkdir -p /upper/u /upper/w
	$B mount -t overlay -o lowerdir=/lower,upperdir=/upper/u,workdir=/upper/w overlay /newroot || exit 1
else
	$B mount -t tmpfs -o mode=755 root /newroot
	for d in /*; do
		case $d in /newroot | /proc | /dev | /lower | /upper | /init | /vm) ;; *) $B cp -a $d /newroot/ ;; esac
	done
	$B mkdir -p /newroot/proc /newroot/dev
fi
$B mkdir -p /newroot/.vm
$B cp /bin/busybox /vm/cmd /vm/env /vm/conf /vm/stage2 /newroot/.vm/
$B umount /proc /dev
exec $B switch_root /newroot /.vm/busybox sh /.vm/stage2
