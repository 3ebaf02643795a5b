// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * bpfd_objneeds_isolated(): the object is read by libbpf in a forked
 * child.  Debian 12's libbpf 1.1 crashes on malformed objects (a SIGSEGV
 * in bpf_object__open_mem() within seconds of fuzzing,
 * tests/fuzz/fuzz_objneeds.c), and `suggest` reads files users hand it,
 * possibly as root: a crash must be an error, never the tool's death.
 * The child's answer is plain data, re-checked by the parent
 * (bpfd_needs_add() validates kind and value).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "objneeds.h"

#define OBJ_CHILD_TIMEOUT_MS 10000
#define OBJ_MAX_ITEMS (4 * 64)

struct answer {
	int32_t r;
	int32_t err;
	char detail[256];
	uint32_t n;
	struct bpfd_need items[OBJ_MAX_ITEMS];
};

static const int crash_signals[] = {SIGSEGV, SIGBUS,  SIGILL,
				    SIGFPE,  SIGABRT, SIGTRAP};

__attribute__((noreturn)) static void child(int wfd, const void *buf,
					    size_t len, const char *name)
{
	static struct answer a; /* the child's own copy: no sharing */
	struct bpfd_needs n = {0};
	struct bpfd_error e = {0};
	const char *p = (const char *)&a;
	size_t left;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* A crash must end the child by its signal, whatever handlers the
	 * process has (ASan's, libFuzzer's): the parent reports it. */
	for (size_t i = 0; i < ARRAY_SIZE(crash_signals); i++)
		signal(crash_signals[i], SIG_DFL);
	a.r = bpfd_objneeds_mem(buf, len, name, &n, &e);
	a.err = e.err;
	snprintf(a.detail, sizeof(a.detail), "%s", e.detail);
	a.n = n.n < OBJ_MAX_ITEMS ? (uint32_t)n.n : OBJ_MAX_ITEMS;
	if (a.n)
		memcpy(a.items, n.items, a.n * sizeof(a.items[0]));
	left = offsetof(struct answer, items) + a.n * sizeof(a.items[0]);
	while (left) {
		ssize_t k = write(wfd, p, left);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			_exit(1);
		p += k;
		left -= (size_t)k;
	}
	_exit(0);
}

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Read the child's answer until EOF, within the deadline. */
static int read_answer(int rfd, struct answer *a, size_t *got)
{
	long end = now_ms() + OBJ_CHILD_TIMEOUT_MS;

	*got = 0;
	for (;;) {
		struct pollfd p = {.fd = rfd, .events = POLLIN};
		long left = end - now_ms();
		ssize_t k;
		int r;

		if (left <= 0)
			return -ETIMEDOUT;
		r = poll(&p, 1, (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		if (*got == sizeof(*a))
			return -EPROTO; /* more than an answer */
		k = read(rfd, (char *)a + *got, sizeof(*a) - *got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -errno;
		if (k == 0)
			return 0;
		*got += (size_t)k;
	}
}

static int decode(const struct answer *a, size_t got, struct bpfd_needs *n,
		  struct bpfd_error *err)
{
	size_t head = offsetof(struct answer, items);

	if (got < head || a->n > OBJ_MAX_ITEMS ||
	    got != head + a->n * sizeof(a->items[0]))
		return bpfd_objneeds_refuse(
		    err, EPROTO, "the reader process gave a malformed answer");
	if (a->r < 0) {
		char d[sizeof(a->detail)];

		snprintf(d, sizeof(d), "%.*s", (int)sizeof(d) - 1, a->detail);
		return bpfd_objneeds_refuse(err, -a->r, "%s", d);
	}
	for (uint32_t i = 0; i < a->n; i++) {
		char reason[sizeof(a->items[i].reason)];
		int r;

		snprintf(reason, sizeof(reason), "%.*s",
			 (int)sizeof(reason) - 1, a->items[i].reason);
		r = bpfd_needs_add(n, a->items[i].kind, a->items[i].value, "%s",
				   reason);
		if (r < 0)
			return bpfd_objneeds_refuse(
			    err, -r, "the reader process gave a bad item");
	}
	return 0;
}

/*
 * gcc 12 -fanalyzer (make analyze) reports the answer buffer as leaked
 * after pipe2(): it loses the _cleanup_free_ that frees it on every return
 * (test_objneeds runs this under ASan's leak checker).
 */
BPFD_ANALYZER_IGNORE("-Wanalyzer-malloc-leak")
int bpfd_objneeds_isolated(const void *buf, size_t len, const char *name,
			   struct bpfd_needs *n, struct bpfd_error *err)
{
	_cleanup_close_ int rfd = BPFD_NO_FD, wfd = BPFD_NO_FD;
	_cleanup_free_ struct answer *a = calloc(1, sizeof(*a));
	int fds[2], status = 0, r, w;
	size_t got = 0;
	pid_t pid;

	if (!a || !n)
		return bpfd_error_set(err, BPFD_STEP_ARGS, a ? EINVAL : ENOMEM,
				      NULL);
	if (len > BPFD_OBJ_MAX_SIZE)
		return bpfd_objneeds_refuse(err, EFBIG, "larger than %u MiB",
					    BPFD_OBJ_MAX_SIZE >> 20);
	r = bpfd_objneeds_check_elf(buf, len, err);
	if (r)
		return r;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return bpfd_error_set(err, BPFD_STEP_ARGS, errno, "pipe");
	rfd = fds[0];
	wfd = fds[1];
	pid = fork();
	if (pid < 0)
		return bpfd_error_set(err, BPFD_STEP_FORK, errno, NULL);
	if (pid == 0) {
		close(rfd);
		child(wfd, buf, len, name);
	}
	bpfd_closep(&wfd);
	r = read_answer(rfd, a, &got);
	/* the child has written all or is stuck: a short bound either way */
	w = bpfd_wait_child(pid, r == -ETIMEDOUT ? 0 : 1000, &status);
	if (r == -ETIMEDOUT || w == -ETIMEDOUT)
		return bpfd_objneeds_refuse(err, ETIMEDOUT,
					    "reading it took longer than %d s",
					    OBJ_CHILD_TIMEOUT_MS / 1000);
	if (w < 0)
		return bpfd_error_set(err, BPFD_STEP_WAIT, -w, NULL);
	if (WIFSIGNALED(status))
		return bpfd_objneeds_refuse(
		    err, EINVAL,
		    "libbpf crashed reading it (signal %d, %s): a "
		    "malformed object",
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
	if (r < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return bpfd_objneeds_refuse(err, r < 0 ? -r : EPROTO,
					    "the reader process failed");
	return decode(a, got, n, err);
}
BPFD_ANALYZER_POP

/* Read all of @fd (a regular file of @size bytes) into a new buffer. */
static int read_all(int fd, size_t size, unsigned char **out, size_t *len,
		    struct bpfd_error *err)
{
	_cleanup_free_ unsigned char *b = malloc(size ? size : 1);
	size_t got = 0;

	if (!b)
		return bpfd_error_set(err, BPFD_STEP_ARGS, ENOMEM, NULL);
	while (got < size) {
		ssize_t k = read(fd, b + got, size - got);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return bpfd_objneeds_refuse(
			    err, errno, "cannot read it: %s", strerror(errno));
		if (k == 0)
			break; /* shrank while read: what is there is checked */
		got += (size_t)k;
	}
	*out = TAKE_PTR(b);
	*len = got;
	return 0;
}

int bpfd_objneeds_file(const char *path, struct bpfd_needs *n,
		       struct bpfd_error *err)
{
	_cleanup_close_ int fd = BPFD_NO_FD;
	_cleanup_free_ unsigned char *b = NULL;
	const char *base;
	struct stat st;
	size_t len = 0;
	int r;

	if (!path || !n)
		return bpfd_error_set(err, BPFD_STEP_ARGS, EINVAL, NULL);
	/* O_NONBLOCK: a FIFO given by mistake must not hang the open. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return bpfd_objneeds_refuse(err, errno, "cannot open it: %s",
					    strerror(errno));
	if (fstat(fd, &st) < 0)
		return bpfd_objneeds_refuse(err, errno, "cannot stat it: %s",
					    strerror(errno));
	if (S_ISDIR(st.st_mode))
		return bpfd_objneeds_refuse(err, EISDIR,
					    "a directory, not a BPF object");
	if (!S_ISREG(st.st_mode))
		return bpfd_objneeds_refuse(
		    err, EINVAL,
		    "not a regular file (a device, FIFO or socket)");
	if ((unsigned long long)st.st_size > BPFD_OBJ_MAX_SIZE)
		return bpfd_objneeds_refuse(
		    err, EFBIG, "larger than %u MiB (%lld bytes)",
		    BPFD_OBJ_MAX_SIZE >> 20, (long long)st.st_size);
	r = read_all(fd, (size_t)st.st_size, &b, &len, err);
	if (r)
		return r;
	base = strrchr(path, '/');
	return bpfd_objneeds_isolated(b, len, base ? base + 1 : path, n, err);
}
