// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The floor for `bpfdelegate attach --pid PID` (and the delegating OCI
 * hook): only its syscalls, with the verification attach keeps.  Parent:
 * pidfd_open, fork; child: setns(user+mnt) into PID's namespaces,
 * setresuid/gid 0, fsopen("bpf"), SCM_RIGHTS to the parent, which sets
 * fsconfig x4 ("any") + create, fsmount and sends the mount back; child:
 * open the root, BPF_TOKEN_CREATE and the token's masks
 * (BPF_OBJ_GET_INFO_BY_FD: the "a token is created and checked"),
 * open TARGET, move_mount onto it, then the read-back: statmount(2) of
 * the mount's options by its id.  No
 * checks of the context, no names, no report.  Exit 0 on success.
 *
 * usage: attach_floor PID TARGET [CONFIG]   (TARGET: an existing directory
 * there).  With CONFIG, the floor of the delegating oci-hook: first the
 * reads the hook cannot do without, its state on stdin and the bundle's
 * config.json, each to its end (not parsed: PID and TARGET are given).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/types.h>

#include "floor_util.h"

static int child(int s, int pidfd, const char *target)
{
	struct {
		__u32 size, spare;
		__u64 mnt_id, param;
	} req = {24, 0, 0, 0x81 /* SB_BASIC | MNT_OPTS */};
	static char sm[8192];
	struct {
		__u32 fd, len;
		__u64 ptr;
	} info;
	__u64 ti[4];
	struct statx stx;
	__u32 a[2] = {0, 0};
	int fs, mnt, root, tok, t;

	if (setns(pidfd, CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return 1;
	if (setresgid(0, 0, 0) || setresuid(0, 0, 0))
		return 1;
	fs = fsopen("bpf", FSOPEN_CLOEXEC);
	send_fd(s, fs);
	mnt = recv_fd(s);
	root = openat(mnt, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	a[1] = root;
	tok = syscall(__NR_bpf, 36 /* BPF_TOKEN_CREATE */, a, 8);
	if (tok < 0)
		return 1;
	/* the token checked: its masks (BPF_OBJ_GET_INFO_BY_FD; 6.17+, an
	 * older kernel answers EINVAL, as cheaply) */
	info.fd = tok;
	info.len = sizeof(ti);
	info.ptr = (__u64)(unsigned long)ti;
	(void)syscall(__NR_bpf, 15 /* BPF_OBJ_GET_INFO_BY_FD */, &info,
		      sizeof(info));
	t = open(target, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (t < 0 ||
	    move_mount(mnt, "", t, "",
		       MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return 1;
	if (statx(root, "", AT_EMPTY_PATH, 0x4000 /* MNT_ID_UNIQUE */, &stx) <
	    0)
		return 1;
	req.mnt_id = stx.stx_mnt_id;
	return syscall(457 /* statmount */, &req, sm, sizeof(sm), 0) < 0;
}

/* Read @fd to its end (at most 1 MiB, as the hook bounds its reads). */
static void slurp(int fd)
{
	static char buf[1 << 20];
	size_t n = 0;
	ssize_t r;

	while (n < sizeof(buf) && (r = read(fd, buf + n, sizeof(buf) - n)) > 0)
		n += (size_t)r;
}

int main(int argc, char **argv)
{
	int sv[2], pidfd;
	pid_t pid;

	if (argc != 3 && argc != 4)
		return 2;
	if (argc == 4) {
		int fd = open(argv[3], O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			return 1;
		slurp(0);
		slurp(fd);
		close(fd);
	}
	pidfd = syscall(__NR_pidfd_open, atoi(argv[1]), 0);
	if (pidfd < 0)
		return 1;
	socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv);
	pid = fork();
	if (pid == 0)
		_exit(child(sv[1], pidfd, argv[2]));
	return floor_finish(sv[0], recv_fd(sv[0]), pid);
}
