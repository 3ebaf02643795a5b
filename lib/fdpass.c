// SPDX-License-Identifier: LGPL-2.1-or-later
/* Records and fds over SOCK_SEQPACKET, with bounded waits. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <bpfdelegate/fdpass.h>

#include "internal.h"

int bpfd_socketpair(int sv[2])
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	return 0;
}

int bpfd_send(int sock, const void *buf, size_t len, int fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	if (fd >= 0) {
		struct cmsghdr *c;

		memset(&ctl, 0, sizeof(ctl));
		msg.msg_control = ctl.buf;
		msg.msg_controllen = sizeof(ctl.buf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == ECONNRESET ? -EPIPE : -errno;
	return (size_t)n == len ? 0 : -EPROTO;
}

static int wait_readable(int sock, int timeout_ms)
{
	struct pollfd p = {.fd = sock, .events = POLLIN};
	int r;

	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -ETIMEDOUT;
	return 0;
}

/* Take the fds out of the control data; close all but a single one. */
static int collect_fds(struct msghdr *msg, int *fd)
{
	int got = 0, bad = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c;
	     c = CMSG_NXTHDR(msg, c)) {
		size_t n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) {
			bad = 1;
			continue;
		}
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int f;

			memcpy(&f, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (!fd || got++) {
				close(f);
				bad = 1;
			} else {
				*fd = f;
			}
		}
	}
	return bad ? -EBADMSG : 0;
}

/*
 * The kernel also sets MSG_CTRUNC when it cannot install a passed fd in
 * our table (scm_detach_fds(): EMFILE, ENFILE), and drops the fd: when no
 * fd can be had right now, that, not a misbehaving peer, is the cause.
 */
static int fd_table_full(int sock)
{
	int probe = fcntl(sock, F_DUPFD_CLOEXEC, 0);

	if (probe >= 0) {
		close(probe);
		return 0;
	}
	return errno == EMFILE || errno == ENFILE ? errno : 0;
}

int bpfd_recv(int sock, void *buf, size_t len, int *fd, int timeout_ms)
{
	size_t got = 0;
	int r = bpfd_recv_upto(sock, buf, len, &got, fd, timeout_ms);

	if (r == 0 && got != len) {
		if (fd)
			bpfd_closep(fd);
		r = -EPROTO;
	}
	return r;
}

int bpfd_recv_upto(int sock, void *buf, size_t len, size_t *got, int *fd,
		   int timeout_ms)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 4)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf)};
	ssize_t n;
	int r, full;

	if (fd)
		*fd = BPFD_NO_FD;
	r = wait_readable(sock, timeout_ms);
	if (r < 0)
		return r;
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == ECONNRESET ? -EPIPE : -errno;
	r = collect_fds(&msg, fd);
	full = r == 0 && (msg.msg_flags & MSG_CTRUNC) ? fd_table_full(sock) : 0;
	if (full)
		r = -full;
	else if (r == 0 && (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
		r = -EPROTO;
	else if (r == 0 && n == 0)
		r = -EPIPE;
	if (r < 0 && fd && *fd >= 0)
		bpfd_closep(fd);
	*got = r == 0 ? (size_t)n : 0;
	return r;
}

int bpfd_fd_is_anon(int fd, const char *kind)
{
	char path[64], link[64], want[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	snprintf(want, sizeof(want), "anon_inode:[%s]", kind);
	return strcmp(link, want) == 0;
}
