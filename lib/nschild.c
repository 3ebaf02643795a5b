// SPDX-License-Identifier: LGPL-2.1-or-later
/* The set-up every child entering a foreign namespace starts with. */
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <bpfdelegate/mounts.h>
#include <bpfdelegate/userns.h>

#include "internal.h"
#include "nschild.h"

int bpfd_child_rearm(pid_t parent)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return -errno;
	if (getppid() != parent)
		return -ESRCH;
	/* Non-dumpable: nobody in the namespace we enter (nor the invoking
	 * user) may ptrace us or read our /proc files. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return -errno;
	return 0;
}

int bpfd_caps_drop_all(void)
{
	_cleanup_cap_ cap_t none = cap_init(); /* every set empty */
	int r = 0;

	if (!none)
		return -ENOMEM;
	if (cap_set_proc(none) < 0)
		r = -errno;
	if (r == 0 &&
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		r = -errno;
	return r;
}

int bpfd_caps_drop_host(void)
{
	/* Unknown (/proc unreadable) counts as the host's: dropped. */
	if (bpfd_in_child_userns())
		return 0;
	return bpfd_caps_drop_all();
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

int bpfd_child_harden(pid_t parent, const int *keep, size_t nkeep)
{
	int sorted[8];
	unsigned int from = 3;

	if (nkeep > ARRAY_SIZE(sorted))
		return -E2BIG;
	for (size_t i = 0; i < nkeep; i++)
		sorted[i] = keep[i];
	qsort(sorted, nkeep, sizeof(sorted[0]), cmp_int);
	/* A process of the namespace we enter must find nothing of the
	 * host's in us: close every fd the caller had open. */
	for (size_t i = 0; i < nkeep; i++) {
		if (sorted[i] < 0 || (unsigned int)sorted[i] < from)
			continue;
		if ((unsigned int)sorted[i] > from &&
		    close_range(from, (unsigned int)sorted[i] - 1, 0) < 0)
			return -errno;
		from = (unsigned int)sorted[i] + 1;
	}
	if (close_range(from, ~0U, 0) < 0)
		return -errno;
	/* A cwd on the host would be a way out of a joined mount namespace's
	 * root for anyone who can reach us (/proc/PID/cwd). */
	if (chdir("/") < 0)
		return -errno;
	return bpfd_child_rearm(parent);
}

static bool kept(int fd, const int *keep, size_t nkeep)
{
	for (size_t i = 0; i < nkeep; i++)
		if (keep[i] == fd)
			return true;
	return false;
}

int bpfd_child_null_stdio(const int *keep, size_t nkeep)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	for (int i = 0; i <= 2; i++)
		if (fd != i && !kept(i, keep, nkeep) && dup2(fd, i) < 0) {
			int e = errno;

			if (fd > 2)
				close(fd);
			return -e;
		}
	/* dup2() left 0-2 without close-on-exec; the one we opened has it. */
	if (fd > 2)
		close(fd);
	return 0;
}
