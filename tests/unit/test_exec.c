// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The child side of `run` (lib/exec.c): what it reports when it cannot
 * keep a capability, and that reporting it leaks nothing.
 */
#include <errno.h>
#include <linux/securebits.h>
#include <malloc.h>
#include <signal.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <bpfdelegate/engine.h>

#include "exec.h"
#include "testutil.h"

#define ROUNDS 2000

/*
 * With SECBIT_NO_CAP_AMBIENT_RAISE the ambient raise of a kept capability
 * fails: the error names the capability, and the name (cap_to_name()
 * allocates it) is freed.  Each call fails the same way, so a leak grows
 * with the rounds: seen in the heap statistics of a normal build, and by
 * LeakSanitizer at the child's exit in an ASan build.
 */
static void child(void)
{
	struct bpfd_exec x = {.set_user = true, .keep_caps = 1ULL << CAP_BPF};
	struct bpfd_idmap map = {.user_uid = 0, .user_gid = 0};
	struct bpfd_error e = {0};
	struct mallinfo2 before, after;

	sigemptyset(&x.sigmask);
	if (prctl(PR_SET_SECUREBITS, SECBIT_NO_CAP_AMBIENT_RAISE) < 0)
		_exit(10);
	if (bpfd_exec_prepare(&x, &map, "/nonexistent", &e) != -EPERM ||
	    e.step != BPFD_STEP_USER || !strstr(e.detail, "cap_bpf"))
		_exit(11);
	before = mallinfo2();
	for (int i = 0; i < ROUNDS; i++)
		if (bpfd_exec_prepare(&x, &map, "/nonexistent", &e) != -EPERM)
			_exit(12);
	after = mallinfo2();
	if (after.uordblks > before.uordblks + ROUNDS)
		_exit(13); /* a leak of a few bytes per call */
	exit(0);	   /* not _exit: LeakSanitizer checks at exit */
}

static void test_ambient_failure_named_no_leak(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	if (geteuid() != 0)
		bpfd_skip("needs root (euid %u) for securebits and setresuid",
			  geteuid());
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		child();
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	/* 10: securebits, 11: wrong error, 12: not failing, 13: leak,
	 * 23: LeakSanitizer */
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ambient_failure_named_no_leak),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
