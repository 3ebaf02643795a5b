// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A client of `bpfdelegate serve` for tests/cli/serve.bats, well-behaved
 * or hostile, speaking lib/service_proto.h by hand (no library):
 *
 *   svcpoke SOCKET request CMD PID [netns-new]
 *                                    a request (check|run|attach, every
 *                                    mask "any") with PID's pidfd, saying
 *                                    --netns host (or new); prints the
 *                                    verdict, or "granted" and the mount's
 *                                    fs type
 *   svcpoke SOCKET badversion PID    a request of protocol version 2
 *   svcpoke SOCKET garbage           13 bytes of text
 *   svcpoke SOCKET oversized         a record 100 bytes too long
 *   svcpoke SOCKET nopidfd           a good request without a pidfd
 *   svcpoke SOCKET notpidfd          a good request with a file's fd
 *   svcpoke SOCKET silent SECS       connect, say nothing for SECS, then
 *                                    print what the service said
 *   svcpoke SOCKET hold N SECS       N connections held silent for SECS;
 *                                    prints how many got an answer at once
 *
 * Exit 0 when the exchange happened (whatever the verdict), 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "service_proto.h"

#define POLICY_CHECK 1
#define POLICY_RUN 2
#define POLICY_ATTACH 4

static int conn(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("connect");
		exit(1);
	}
	return fd;
}

static int send_fd(int s, const void *buf, size_t len, int fd)
{
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr a;
	} ctl = {0};
	struct iovec iov = {.iov_base = (void *)buf, .iov_len = len};
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1};

	if (fd >= 0) {
		struct cmsghdr *c;

		m.msg_control = ctl.b;
		m.msg_controllen = sizeof(ctl.b);
		c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return sendmsg(s, &m, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

/* Wait up to @ms for the reply; print it.  0 printed, -1 nothing. */
static int print_reply(int s, int ms)
{
	struct bpfd_svc_reply r;
	union {
		char b[CMSG_SPACE(sizeof(int))];
		struct cmsghdr a;
	} ctl;
	struct iovec iov = {.iov_base = &r, .iov_len = sizeof(r)};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = ctl.b,
			   .msg_controllen = sizeof(ctl.b)};
	struct pollfd p = {.fd = s, .events = POLLIN};
	int fd = -1;
	ssize_t n;

	if (poll(&p, 1, ms) <= 0) {
		printf("no answer within %d ms\n", ms);
		return -1;
	}
	n = recvmsg(s, &m, MSG_CMSG_CLOEXEC);
	if (n == 0) {
		printf("closed without an answer\n");
		return -1;
	}
	if (n != (ssize_t)sizeof(r)) {
		printf("reply of %zd bytes\n", n);
		return -1;
	}
	if (CMSG_FIRSTHDR(&m) && CMSG_FIRSTHDR(&m)->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(CMSG_FIRSTHDR(&m)), sizeof(int));
	if (r.err == 0) {
		struct statfs sfs;

		if (fd < 0 || fstatfs(fd, &sfs) < 0) {
			printf("granted, but no mount fd\n");
			return 0;
		}
		printf("granted: mount fd, fs type 0x%lx\n",
		       (unsigned long)sfs.f_type);
		return 0;
	}
	printf("verdict: %s step %u refused %u: %s [rule %s]%s\n",
	       strerrorname_np(r.err) ?: "?", r.step, r.refused, r.detail,
	       r.rule, fd >= 0 ? " WITH AN FD" : "");
	return 0;
}

static struct bpfd_svc_request good(uint32_t cmd)
{
	struct bpfd_svc_request q = {
	    .magic = BPFD_SVC_MAGIC, .version = BPFD_SVC_VERSION, .cmd = cmd};

	for (int k = 0; k < 4; k++)
		q.mask[k] = ~0ull;
	q.flags = BPFD_SVC_NETNS_HOST;
	snprintf(q.target, sizeof(q.target), "/sys/fs/bpf");
	return q;
}

static uint32_t parse_cmd(const char *s)
{
	return !strcmp(s, "check")    ? POLICY_CHECK
	       : !strcmp(s, "run")    ? POLICY_RUN
	       : !strcmp(s, "attach") ? POLICY_ATTACH
				      : 0;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 2 ? argv[2] : "";
	int s;

	if (argc < 3) {
		fprintf(stderr, "usage: svcpoke SOCKET MODE [ARGS]\n");
		return 2;
	}
	if (!strcmp(mode, "hold") && argc == 5) {
		int n = atoi(argv[3]), answered = 0;
		int *fds = calloc(n, sizeof(int));

		for (int i = 0; i < n; i++)
			fds[i] = conn(argv[1]);
		for (int i = 0; i < n; i++) {
			struct pollfd p = {.fd = fds[i], .events = POLLIN};

			answered += poll(&p, 1, i ? 0 : 500) > 0;
		}
		printf("%d of %d answered at once\n", answered, n);
		fflush(stdout);
		sleep(atoi(argv[4]));
		free(fds);
		return 0;
	}
	s = conn(argv[1]);
	if ((!strcmp(mode, "request") && (argc == 5 || argc == 6)) ||
	    (!strcmp(mode, "badversion") && argc == 4)) {
		bool req = !strcmp(mode, "request");
		struct bpfd_svc_request q =
		    good(req ? parse_cmd(argv[3]) : POLICY_RUN);
		int pidfd =
		    (int)syscall(SYS_pidfd_open, atoi(argv[req ? 4 : 3]), 0);

		if (argc == 6 && !strcmp(argv[5], "netns-new"))
			q.flags &= ~BPFD_SVC_NETNS_HOST;
		if (!req)
			q.version = 2;
		if (pidfd < 0) {
			perror("pidfd_open");
			return 1;
		}
		if (send_fd(s, &q, sizeof(q), pidfd) < 0)
			return 1;
		return print_reply(s, 10000) < 0;
	}
	if (!strcmp(mode, "garbage")) {
		send_fd(s, "hello garbage", 13, -1);
		return print_reply(s, 10000) < 0;
	}
	if (!strcmp(mode, "oversized")) {
		char big[sizeof(struct bpfd_svc_request) + 100];
		struct bpfd_svc_request q = good(POLICY_RUN);

		memset(big, 'x', sizeof(big));
		memcpy(big, &q, sizeof(q));
		send_fd(s, big, sizeof(big), -1);
		return print_reply(s, 10000) < 0;
	}
	if (!strcmp(mode, "nopidfd") || !strcmp(mode, "notpidfd")) {
		struct bpfd_svc_request q = good(POLICY_RUN);
		int fd = strcmp(mode, "notpidfd")
			     ? -1
			     : open("/dev/null", O_RDONLY | O_CLOEXEC);

		send_fd(s, &q, sizeof(q), fd);
		return print_reply(s, 10000) < 0;
	}
	if (!strcmp(mode, "silent") && argc == 4) {
		print_reply(s, atoi(argv[3]) * 1000);
		return 0;
	}
	fprintf(stderr, "svcpoke: bad mode or arguments\n");
	return 2;
}
