/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the floors of `make bench` share (floor.c, check_floor.c,
 * attach_floor.c): one fd over a socket each way, an id-map write, the
 * parent's delegation, and floor.c's and check_floor.c's handshake up to
 * the token.  As plain as the floors themselves: no checks beyond what a
 * failure needs.
 */
#ifndef BENCH_FLOOR_UTIL_H
#define BENCH_FLOOR_UTIL_H

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/types.h>

static inline void send_fd(int s, int fd)
{
	char c = 0, ctl[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec iov = {&c, 1};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};

	if (fd >= 0) {
		m.msg_control = ctl;
		m.msg_controllen = sizeof(ctl);
		struct cmsghdr *h = CMSG_FIRSTHDR(&m);
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_RIGHTS;
		h->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(h), &fd, sizeof(int));
	}
	sendmsg(s, &m, 0);
}

static inline int recv_fd(int s)
{
	char c, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {&c, 1};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1,
			   .msg_control = ctl, .msg_controllen = sizeof(ctl)};
	int fd = -1;

	if (recvmsg(s, &m, MSG_CMSG_CLOEXEC) <= 0)
		return -1;
	if (CMSG_FIRSTHDR(&m))
		memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof(int));
	return fd;
}

static inline void wr(pid_t pid, const char *f, const char *v)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/%d/%s", pid, f);
	int fd = open(p, O_WRONLY);
	if (write(fd, v, strlen(v)) < 0)
		_exit(2);
	close(fd);
}

/* The parent's step: delegate_* = any x4, create, fsmount; send the mount
 * back, then the child's exit status. */
static inline int floor_finish(int s, int fs, pid_t pid)
{
	static const char *const opt[] = {"delegate_cmds", "delegate_maps",
					  "delegate_progs", "delegate_attachs"};
	int st;

	for (int i = 0; i < 4; i++)
		fsconfig(fs, FSCONFIG_SET_STRING, opt[i], "any", 0);
	fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0);
	send_fd(s, fsmount(fs, FSMOUNT_CLOEXEC, 0));
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

/* floor.c's and check_floor.c's parent: the child's id maps (65534), then
 * floor_finish(). */
static inline int floor_parent(int s, pid_t pid)
{
	recv_fd(s);
	wr(pid, "uid_map", "0 65534 1");
	wr(pid, "setgroups", "deny");
	wr(pid, "gid_map", "0 65534 1");
	send_fd(s, -1);
	return floor_finish(s, recv_fd(s), pid);
}

/* Their child up to the token: a new user and mount namespace, root there,
 * fsopen, the mount back, BPF_TOKEN_CREATE from its root.  The token, or
 * -1. */
static inline int floor_child_token(int s)
{
	__u32 a[2] = {0, 0};
	int fs, mnt;

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
		return -1;
	send_fd(s, -1);
	recv_fd(s);
	if (setresgid(0, 0, 0) || setresuid(0, 0, 0))
		return -1;
	fs = fsopen("bpf", FSOPEN_CLOEXEC);
	send_fd(s, fs);
	mnt = recv_fd(s);
	a[1] = openat(mnt, ".", O_RDONLY | O_DIRECTORY);
	return syscall(__NR_bpf, 36 /* BPF_TOKEN_CREATE */, a, 8);
}

#endif
