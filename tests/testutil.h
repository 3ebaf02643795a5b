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

/* Skip (fail in CI) unless root on a 6.9+ kernel. */
#define bpfd_require_root_tokens()                                             \
	do {                                                                   \
		if (geteuid() != 0)                                            \
			bpfd_skip("needs root (euid %u)", geteuid());          \
		if (!bpfd_test_kernel_has_tokens())                            \
			bpfd_skip("needs a 6.9+ kernel for BPF tokens");       \
	} while (0)

#endif
