/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the floors of `make bench` share (floor.c, check_floor.c,
 * attach_floor.c): one fd over a socket each way, an id-map write.  As
 * plain as the floors themselves: no checks beyond what a failure needs.
 */
#ifndef BENCH_FLOOR_UTIL_H
#define BENCH_FLOOR_UTIL_H

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

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

#endif
