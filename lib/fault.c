// SPDX-License-Identifier: LGPL-2.1-or-later
/* Test builds only (-DBPFD_TEST_FAULTS): see lib/fault.h. */
#ifdef BPFD_TEST_FAULTS
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault.h"
#include "internal.h"
#include "policy.h"

/* The helper's tests: BPFD_POLICY_DIR/test-fault, written by root. */
static const char *fault_file(char *buf, size_t len)
{
	int fd = open(BPFD_POLICY_DIR "/test-fault",
		      O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return NULL;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

enum bpfd_fault bpfd_fault(void)
{
	static const struct {
		const char *name;
		enum bpfd_fault f;
	} faults[] = {
	    {"child-exit-after-fsopen", BPFD_FAULT_CHILD_EXIT_AFTER_FSOPEN},
	    {"child-hang", BPFD_FAULT_CHILD_HANG},
	    {"parent-exit-after-recv", BPFD_FAULT_PARENT_EXIT_AFTER_RECV},
	    {"child-send-tmpfs", BPFD_FAULT_CHILD_SEND_TMPFS},
	    {"drop-options", BPFD_FAULT_DROP_OPTIONS},
	    {"child-rearm-fail", BPFD_FAULT_CHILD_REARM_FAIL},
	    {"exec-rearm-fail", BPFD_FAULT_EXEC_REARM_FAIL},
	    {"child-false-success", BPFD_FAULT_CHILD_FALSE_SUCCESS},
	    {"probe-hang", BPFD_FAULT_PROBE_HANG},
	    {"child-hang-after-attach", BPFD_FAULT_CHILD_HANG_ATTACHED},
	    {"undo-hang", BPFD_FAULT_UNDO_HANG},
	    {"serve-slow", BPFD_FAULT_SERVE_SLOW},
	    {"serve-ns-hang", BPFD_FAULT_SERVE_NS_HANG},
	    {"create-refused", BPFD_FAULT_CREATE_REFUSED},
	    {"old-kernel", BPFD_FAULT_OLD_KERNEL},
	    {"child-pause-early", BPFD_FAULT_CHILD_PAUSE_EARLY},
	    {"learn-caller-dies", BPFD_FAULT_LEARN_GONE},
	    {"no-statmount", BPFD_FAULT_NO_STATMOUNT},
	    {"child-short-report", BPFD_FAULT_CHILD_SHORT_REPORT},
	};
	char buf[64];
	/* Read at each use, in whichever process: no state to keep. */
	const char *v = getenv("BPFDELEGATE_TEST_FAULT");

	if (!v)
		v = fault_file(buf, sizeof(buf));
	if (!v)
		return BPFD_FAULT_NONE;
	for (size_t i = 0; i < ARRAY_SIZE(faults); i++)
		if (strcmp(v, faults[i].name) == 0)
			return faults[i].f;
	return BPFD_FAULT_NONE;
}
#endif
