// SPDX-License-Identifier: LGPL-2.1-or-later
/* fd passing: records, fds, bounded waits, and nothing leaks. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/mount.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <bpfdelegate/fdpass.h>

#include "internal.h"
#include "testutil.h"

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

struct rec {
	int a;
	char b[20];
};

static void test_roundtrip_with_fd(void **state)
{
	(void)state;
	int sv[2], got = -1, p[2];
	struct rec out = {42, "hello"}, in = {0};

	assert_int_equal(bpfd_socketpair(sv), 0);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(bpfd_send(sv[0], &out, sizeof(out), p[1]), 0);
	assert_int_equal(bpfd_recv(sv[1], &in, sizeof(in), &got, 1000), 0);
	assert_int_equal(in.a, 42);
	assert_string_equal(in.b, "hello");
	assert_true(got >= 0 && got != p[1]);
	/* The received fd is close-on-exec and works. */
	assert_true(fcntl(got, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(write(got, "x", 1), 1);
	char c;
	assert_int_equal(read(p[0], &c, 1), 1);
	close(got);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

static void test_no_fd_gives_minus_one(void **state)
{
	(void)state;
	int sv[2], got = 7;
	struct rec r = {1, ""};

	assert_int_equal(bpfd_socketpair(sv), 0);
	assert_int_equal(bpfd_send(sv[0], &r, sizeof(r), -1), 0);
	assert_int_equal(bpfd_recv(sv[1], &r, sizeof(r), &got, 1000), 0);
	assert_int_equal(got, -1);
	close(sv[0]);
	close(sv[1]);
}

static void test_timeout(void **state)
{
	(void)state;
	int sv[2], got;
	struct rec r;

	assert_int_equal(bpfd_socketpair(sv), 0);
	assert_int_equal(bpfd_recv(sv[1], &r, sizeof(r), &got, 50), -ETIMEDOUT);
	close(sv[0]);
	close(sv[1]);
}

static void test_peer_closed(void **state)
{
	(void)state;
	int sv[2], got;
	struct rec r = {0};

	assert_int_equal(bpfd_socketpair(sv), 0);
	close(sv[0]);
	assert_int_equal(bpfd_recv(sv[1], &r, sizeof(r), &got, 1000), -EPIPE);
	/* Sending to a dead peer is an error, never SIGPIPE. */
	assert_int_equal(bpfd_send(sv[1], &r, sizeof(r), -1), -EPIPE);
	close(sv[1]);
}

static void test_peer_dies(void **state)
{
	(void)state;
	int sv[2], got;
	struct rec r;
	pid_t pid;

	assert_int_equal(bpfd_socketpair(sv), 0);
	pid = fork();
	if (pid == 0) {
		close(sv[1]);
		pause();
		_exit(0);
	}
	close(sv[0]);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	assert_int_equal(bpfd_recv(sv[1], &r, sizeof(r), &got, 5000), -EPIPE);
	close(sv[1]);
}

static void test_wrong_size_closes_fd(void **state)
{
	(void)state;
	int sv[2], got = 5, p[2], before;
	char small[3] = "ab";
	struct rec r;

	assert_int_equal(bpfd_socketpair(sv), 0);
	assert_int_equal(pipe(p), 0);
	before = count_fds();
	assert_int_equal(bpfd_send(sv[0], small, sizeof(small), p[0]), 0);
	assert_int_equal(bpfd_recv(sv[1], &r, sizeof(r), &got, 1000), -EPROTO);
	assert_int_equal(got, -1);
	assert_int_equal(count_fds(), before);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

/*
 * bpfd_recv_upto: a shorter record is taken (its size returned, the rest
 * of the buffer untouched); a longer one is truncated: refused, its fd
 * closed.
 */
static void test_recv_upto(void **state)
{
	(void)state;
	int sv[2], got = 5, p[2], before;
	char big[16] = "0123456789abcdef", buf[8];
	size_t n = 99;

	assert_int_equal(bpfd_socketpair(sv), 0);
	assert_int_equal(pipe(p), 0);
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(bpfd_send(sv[0], "ab", 2, -1), 0);
	assert_int_equal(
	    bpfd_recv_upto(sv[1], buf, sizeof(buf), &n, NULL, 1000), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(buf, "abxxxxxx", sizeof(buf));
	before = count_fds();
	assert_int_equal(bpfd_send(sv[0], big, sizeof(big), p[0]), 0);
	assert_int_equal(
	    bpfd_recv_upto(sv[1], buf, sizeof(buf), &n, &got, 1000), -EPROTO);
	assert_int_equal(got, -1);
	assert_int_equal(n, 0);
	assert_int_equal(count_fds(), before);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

/* Two fds in one record: both closed, the record refused. */
static void test_two_fds_refused(void **state)
{
	(void)state;
	int sv[2], got = 5, p[2], before;
	struct rec r = {0};
	char ctl[CMSG_SPACE(2 * sizeof(int))] = {0};
	struct iovec iov = {&r, sizeof(r)};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = ctl,
			   .msg_controllen = sizeof(ctl)};
	struct cmsghdr *c;

	assert_int_equal(bpfd_socketpair(sv), 0);
	assert_int_equal(pipe(p), 0);
	c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(2 * sizeof(int));
	memcpy(CMSG_DATA(c), p, 2 * sizeof(int));
	before = count_fds();
	assert_int_equal(sendmsg(sv[0], &m, 0), (ssize_t)sizeof(r));
	assert_int_equal(bpfd_recv(sv[1], &r, sizeof(r), &got, 1000), -EBADMSG);
	assert_int_equal(got, -1);
	assert_int_equal(count_fds(), before);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

/* A receiver that wants no fd closes one it is sent. */
static void test_unwanted_fd_closed(void **state)
{
	(void)state;
	int sv[2], p[2], before;
	struct rec r = {0};

	assert_int_equal(bpfd_socketpair(sv), 0);
	assert_int_equal(pipe(p), 0);
	before = count_fds();
	assert_int_equal(bpfd_send(sv[0], &r, sizeof(r), p[0]), 0);
	assert_int_equal(bpfd_recv(sv[1], &r, sizeof(r), NULL, 1000), -EBADMSG);
	assert_int_equal(count_fds(), before);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

/* The soft "Max open files" the kernel applies (valgrind fakes its own). */
static bool kernel_soft_nofile_is(unsigned long want)
{
	FILE *f = fopen("/proc/self/limits", "re");
	char line[256];
	unsigned long soft = 0;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Max open files %lu", &soft) == 1)
			break;
	if (f)
		fclose(f);
	return soft == want;
}

/*
 * At the fd limit the kernel cannot install a passed fd, drops it and sets
 * MSG_CTRUNC: that is our own EMFILE, not a peer breaking the protocol.
 */
static void test_recv_at_fd_limit_is_emfile(void **state)
{
	(void)state;
	int status = 0;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl;
		struct rec out = {7, "fd"}, in = {0};
		int sv[2], p[2], got = -1, r;

		if (bpfd_socketpair(sv) < 0 || pipe(p) < 0 ||
		    bpfd_send(sv[0], &out, sizeof(out), p[1]) < 0 ||
		    getrlimit(RLIMIT_NOFILE, &rl) < 0)
			_exit(100);
		rl.rlim_cur = 64; /* valgrind wants the hard limit kept */
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			_exit(100);
		if (!kernel_soft_nofile_is(64))
			_exit(50);
		while (dup(0) >= 0)
			;
		if (errno != EMFILE)
			_exit(101);
		r = bpfd_recv(sv[1], &in, sizeof(in), &got, 1000);
		_exit(r == -EMFILE && got == -1 ? 0 : r == -EPROTO ? 102 : 103);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 50) {
		/* not a skip of the real thing: only under valgrind */
		print_message("[  SKIP    ] valgrind emulates RLIMIT_NOFILE: "
			      "the kernel's table is not full\n");
		skip();
	}
	/* 102: -EPROTO, "the peer misbehaved" */
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* bpfd_fd_is_anon: an eventfd is "eventfd" and nothing else; a regular
 * file and a pipe are no anonymous inode of that kind; a closed fd has no
 * /proc/self/fd link: -ENOENT.  (An eventfd, not a pidfd: valgrind 3.19,
 * `make valgrind`, knows eventfd2 and not pidfd_open.) */
static void test_fd_is_anon(void **state)
{
	int efd = eventfd(0, EFD_CLOEXEC), file = open("/", O_PATH), p[2];

	(void)state;
	assert_true(efd >= 0 && file >= 0 && pipe(p) == 0);
	assert_int_equal(bpfd_fd_is_anon(efd, "eventfd"), 1);
	assert_int_equal(bpfd_fd_is_anon(efd, "fscontext"), 0);
	assert_int_equal(bpfd_fd_is_anon(efd, "eventf"), 0);
	assert_int_equal(bpfd_fd_is_anon(file, "eventfd"), 0);
	assert_int_equal(bpfd_fd_is_anon(p[0], "eventfd"), 0);
	close(p[1]);
	assert_int_equal(bpfd_fd_is_anon(p[1], "eventfd"), -ENOENT);
	if (geteuid() == 0) {
		int fs = fsopen("bpf", FSOPEN_CLOEXEC);

		/* ENOSYS only under valgrind, which cannot follow fsopen */
		assert_true(fs >= 0 || errno == ENOSYS);
		if (fs >= 0)
			assert_int_equal(bpfd_fd_is_anon(fs, "fscontext"), 1);
		if (fs >= 0)
			close(fs);
	}
	close(p[0]);
	close(file);
	close(efd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roundtrip_with_fd),
	    cmocka_unit_test(test_fd_is_anon),
	    cmocka_unit_test(test_no_fd_gives_minus_one),
	    cmocka_unit_test(test_timeout),
	    cmocka_unit_test(test_peer_closed),
	    cmocka_unit_test(test_peer_dies),
	    cmocka_unit_test(test_wrong_size_closes_fd),
	    cmocka_unit_test(test_recv_upto),
	    cmocka_unit_test(test_two_fds_refused),
	    cmocka_unit_test(test_unwanted_fd_closed),
	    cmocka_unit_test(test_recv_at_fd_limit_is_emfile),
	};
	return cmocka_run_group_tests_name("fdpass", tests, NULL, NULL);
}
