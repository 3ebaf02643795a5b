/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared helpers for the cmocka tests. */
#ifndef BPFD_TESTUTIL_H
#define BPFD_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cmocka.h>

/* Under CI=true a skip is a failure: the CI machine must run everything. */
static inline int bpfd_test_in_ci(void)
{
	const char *ci = getenv("CI");
	return ci && strcmp(ci, "true") == 0;
}

#define bpfd_skip(...)                                                         \
	do {                                                                   \
		char _why_[256];                                               \
		snprintf(_why_, sizeof(_why_), __VA_ARGS__);                   \
		if (bpfd_test_in_ci())                                         \
			fail_msg("skip is a failure under CI=true: %s",        \
				 _why_);                                       \
		print_message("[  SKIP    ] %s\n", _why_);                     \
		skip();                                                        \
	} while (0)

/* True on a 6.9+ kernel. */
static inline int bpfd_test_kernel_has_tokens(void)
{
	struct utsname u;
	int maj = 0, min = 0;
	if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &maj, &min) != 2)
		return 0;
	return maj > 6 || (maj == 6 && min >= 9);
}

/*
 * A test that cannot apply to the running kernel is "not applicable", not
 * skipped, and never a failure under CI=true: the line before cmocka's
 * "not ok N # SKIP NAME" says "# not applicable: WHY", and tests/run.sh
 * counts it apart from the skips (tests/README.md, "Not applicable").
 * Only for what the kernel decides; a missing privilege is a bpfd_skip.
 */
#define bpfd_not_applicable(...)                                               \
	do {                                                                   \
		char _why_[256];                                               \
		snprintf(_why_, sizeof(_why_), __VA_ARGS__);                   \
		print_message("# not applicable: %s\n", _why_);                \
		skip();                                                        \
	} while (0)

/*
 * Skip (fail in CI) unless root; not applicable below 6.9, where what the
 * kernel does instead is asserted by tests/cli/oldkernel.bats (the CLI) and
 * the old-kernel tests of test_engine and test_probe (the library).
 */
#define bpfd_require_root_tokens()                                             \
	do {                                                                   \
		struct utsname _u_;                                            \
		if (geteuid() != 0)                                            \
			bpfd_skip("needs root (euid %u)", geteuid());          \
		if (!bpfd_test_kernel_has_tokens())                            \
			bpfd_not_applicable(                                   \
			    "kernel %s predates BPF tokens (6.9); asserted "   \
			    "by tests/cli/oldkernel.bats",                     \
			    uname(&_u_) == 0 ? _u_.release : "?");             \
	} while (0)

#endif
