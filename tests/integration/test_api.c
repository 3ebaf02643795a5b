// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The public engine API (include/bpfdelegate/bpfdelegate.h) as a program
 * sees it: the sized options (an older program's smaller struct is taken,
 * a newer program's unknown non-zero tail is refused), the opaque result,
 * bpfd_run() and bpfd_attach() as functions, bpfd_token_masks().  Only
 * public headers: the checks of a real delegation need root and 6.9+.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpfdelegate/bpfdelegate.h>

#include "testutil.h"

/* map_create + array maps: small, and a token of it is easy to read. */
static struct bpfd_delegation small(void)
{
	struct bpfd_delegation d = {{0}};

	d.mask[BPFD_CMDS] = 1ull << 0; /* BPF_MAP_CREATE */
	d.mask[BPFD_MAPS] = 1ull << 2; /* BPF_MAP_TYPE_ARRAY */
	return d;
}

static void assert_refused_args(int r, const struct bpfd_error *e,
				struct bpfd_result *res)
{
	assert_int_equal(r, -EINVAL);
	assert_int_equal(e->step, BPFD_STEP_ARGS);
	assert_int_equal(e->err, EINVAL);
	assert_null(res);
}

/* sz 0 (a struct nobody sized) is refused before anything runs. */
static void test_opts_sz_zero(void **state)
{
	(void)state;
	struct bpfd_opts o = {.deleg = small()};
	struct bpfd_result *res = (struct bpfd_result *)&o; /* overwritten */
	struct bpfd_error e = {0};
	int r;

	r = bpfd_check(&o, &res, &e);
	assert_refused_args(r, &e, res);
	assert_non_null(strstr(e.detail, "opts->sz 0"));
}

/* A program built against a newer header: a bigger struct, whose bytes
 * beyond what this library knows are an option it cannot honour. */
struct newer_opts {
	struct bpfd_opts o;
	uint64_t future_option;
};

static void test_opts_newer_nonzero_tail(void **state)
{
	(void)state;
	struct newer_opts n = {.o = {.sz = sizeof(n), .deleg = small()}};
	struct bpfd_result *res;
	struct bpfd_error e = {0};
	char want[64];
	int r;

	n.future_option = 1;
	r = bpfd_check(&n.o, &res, &e);
	assert_refused_args(r, &e, res);
	snprintf(want, sizeof(want), "byte %zu of %zu is set",
		 offsetof(struct newer_opts, future_option), sizeof(n));
	assert_non_null(strstr(e.detail, want));
	/* the same for run and attach, before any process or pid lookup */
	memset(&e, 0, sizeof(e));
	pid_t pid;
	int pidfd;
	char *argv[] = {"true", NULL};
	r = bpfd_run(&n.o, argv, &pid, &pidfd, &res, &e);
	assert_refused_args(r, &e, res);
	assert_int_equal(pid, -1);
	assert_int_equal(pidfd, -1);
	memset(&e, 0, sizeof(e));
	r = bpfd_attach(getpid(), -1, &n.o, &res, &e);
	assert_refused_args(r, &e, res);
}

static void test_opts_unknown_flag(void **state)
{
	(void)state;
	BPFD_OPTS(o, .deleg = small(), .flags = 0x80000000u);
	struct bpfd_result *res;
	struct bpfd_error e = {0};
	int r;

	r = bpfd_check(&o, &res, &e);
	assert_refused_args(r, &e, res);
	assert_non_null(strstr(e.detail, "unknown flags 0x80000000"));
}

/* A newer program's zero tail is accepted: a real check. */
static void test_opts_newer_zero_tail(void **state)
{
	(void)state;
	bpfd_require_root_tokens();
	struct newer_opts n = {.o = {.sz = sizeof(n), .deleg = small()}};
	struct bpfd_result *res = NULL;
	struct bpfd_delegation tok;
	struct bpfd_error e = {0};

	assert_int_equal(bpfd_check(&n.o, &res, &e), 0);
	assert_non_null(res);
	assert_int_equal(bpfd_result_delegation(res, BPFD_RESULT_TOKEN, &tok),
			 0);
	assert_memory_equal(&tok, &n.o.deleg, sizeof(tok));
	bpfd_result_error(res, &e);
	assert_int_equal(e.err, 0);
	bpfd_result_free(res);
}

/*
 * A program built against an older header (a struct that ends after deleg):
 * accepted, and the fields it did not know are at their defaults whatever
 * the memory after its struct holds (here a probe flag and a bogus target):
 * no probe runs, the target is the default.  The same struct with its full
 * size honours both (the control).
 */
static void test_opts_older_smaller(void **state)
{
	(void)state;
	bpfd_require_root_tokens();
	BPFD_OPTS(o, .deleg = small(), .flags = BPFD_F_PROBE,
		  .target = "/nonexistent/bpfd-test");
	struct bpfd_result *res = NULL;
	struct bpfd_delegation d;
	struct bpfd_error e = {0};
	unsigned int count = 0, dis = 1;

	o.sz = offsetof(struct bpfd_opts, deleg) + sizeof(o.deleg);
	assert_int_equal(bpfd_check(&o, &res, &e), 0);
	assert_int_equal(bpfd_result_probes(res, &count, &dis), -ENODATA);
	assert_string_equal(bpfd_result_target(res), "/sys/fs/bpf");
	assert_int_equal(bpfd_result_delegation(res, BPFD_RESULT_KEPT, &d), 0);
	assert_memory_equal(&d, &o.deleg, sizeof(d));
	bpfd_result_free(res);

	/* control: the full struct, the probes run and agree */
	o.sz = sizeof(o);
	o.target = NULL;
	res = NULL;
	assert_int_equal(bpfd_check(&o, &res, &e), 0);
	assert_int_equal(bpfd_result_probes(res, &count, &dis), 0);
	assert_true(count > 0);
	assert_int_equal(dis, 0);
	bpfd_result_free(res);
}

/* A failure still gives a result (*res), which says the same as @err. */
static void test_check_failure_result(void **state)
{
	(void)state;
	bpfd_require_root_tokens();
	BPFD_OPTS(o, .deleg = small(), .target = "relative/target");
	struct bpfd_result *res = NULL;
	struct bpfd_error e = {0}, e2 = {0};
	int r = bpfd_check(&o, &res, &e);

	assert_true(r < 0);
	assert_non_null(res);
	bpfd_result_error(res, &e2);
	assert_int_equal(e2.err, -r);
	assert_int_equal(e2.step, e.step);
	bpfd_result_free(res);
}

/* bpfd_run(): COMMAND runs with the token's bpffs; its exit status is ours
 * to collect through the pid given back. */
static void test_run(void **state)
{
	(void)state;
	bpfd_require_root_tokens();
	BPFD_OPTS(o, .deleg = small());
	char *argv[] = {
	    "sh", "-c",
	    "test \"$LIBBPF_BPF_TOKEN_PATH\" = /sys/fs/bpf && "
	    "grep -q 'delegate_cmds=map_create' /proc/self/mountinfo"
	    " && exit 7",
	    NULL};
	struct bpfd_error e = {0};
	pid_t pid = 0;
	int pidfd = 0, status = 0;

	assert_int_equal(bpfd_run(&o, argv, &pid, &pidfd, NULL, &e), 0);
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (pidfd >= 0)
		close(pidfd);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 7);
}

/* bpfd_attach() is a function: a process of the initial user namespace
 * (ourselves) is refused, and the result says so. */
static void test_attach_initial_userns(void **state)
{
	(void)state;
	bpfd_require_root_tokens();
	BPFD_OPTS(o, .deleg = small());
	struct bpfd_result *res = NULL;
	struct bpfd_error e = {0}, e2 = {0};

	assert_int_equal(bpfd_attach(getpid(), -1, &o, &res, &e), -EINVAL);
	assert_int_equal(e.step, BPFD_STEP_JOIN);
	assert_non_null(res);
	bpfd_result_error(res, &e2);
	assert_int_equal(e2.err, EINVAL);
	assert_int_equal(e2.step, BPFD_STEP_JOIN);
	bpfd_result_free(res);
}

static void test_token_masks_args(void **state)
{
	(void)state;
	struct bpfd_delegation d;
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(bpfd_token_masks(-1, &d), -EBADF);
	assert_int_equal(bpfd_token_masks(fd, &d), -ENOENT);
	close(fd);
}

static void test_version(void **state)
{
	(void)state;
	char want[32];

	snprintf(want, sizeof(want), "%d.%d.%d", BPFD_LIB_VERSION_MAJOR,
		 BPFD_LIB_VERSION_MINOR, BPFD_LIB_VERSION_PATCH);
	assert_string_equal(bpfd_lib_version(), want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_opts_sz_zero),
	    cmocka_unit_test(test_opts_newer_nonzero_tail),
	    cmocka_unit_test(test_opts_unknown_flag),
	    cmocka_unit_test(test_opts_newer_zero_tail),
	    cmocka_unit_test(test_opts_older_smaller),
	    cmocka_unit_test(test_check_failure_result),
	    cmocka_unit_test(test_run),
	    cmocka_unit_test(test_attach_initial_userns),
	    cmocka_unit_test(test_token_masks_args),
	    cmocka_unit_test(test_version),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
