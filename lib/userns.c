// SPDX-License-Identifier: LGPL-2.1-or-later
/* Id maps and the privilege check. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include <bpfdelegate/userns.h>

#include "internal.h"

#define OVERFLOW_ID 65534u

static unsigned long parse_id(const char *s, unsigned long fallback)
{
	char *end;
	unsigned long v;

	if (!s || !*s)
		return fallback;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v >= 0xffffffffUL)
		return fallback;
	return v;
}

struct bpfd_idmap bpfd_idmap_default(const char *sudo_uid, const char *sudo_gid)
{
	struct bpfd_idmap m;

	m.uid = (uid_t)parse_id(sudo_uid, getuid());
	m.gid = (gid_t)parse_id(sudo_gid, getgid());
	/* Never hand host root to the namespace silently. */
	if (m.uid == 0)
		m.uid = OVERFLOW_ID;
	if (m.gid == 0)
		m.gid = OVERFLOW_ID;
	return m;
}

static int write_proc(pid_t pid, const char *file, const char *text)
{
	char path[64];
	_cleanup_close_ int fd = BPFD_NO_FD;
	size_t len = strlen(text);
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* The kernel accepts a map only in a single write. */
	n = write(fd, text, len);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}

int bpfd_userns_write_maps(pid_t pid, const struct bpfd_idmap *map,
			   struct bpfd_error *err)
{
	char line[64];
	int r;

	snprintf(line, sizeof(line), "0 %u 1\n", (unsigned)map->uid);
	r = write_proc(pid, "uid_map", line);
	if (r < 0)
		return bpfd_error_set(err, BPFD_STEP_UID_MAP, r,
				      "/proc/%d/uid_map '0 %u 1'", (int)pid,
				      (unsigned)map->uid);
	r = write_proc(pid, "setgroups", "deny");
	/* ENOENT: kernels before 3.19 have no setgroups file. */
	if (r < 0 && r != -ENOENT)
		return bpfd_error_set(err, BPFD_STEP_SETGROUPS, r,
				      "/proc/%d/setgroups", (int)pid);
	snprintf(line, sizeof(line), "0 %u 1\n", (unsigned)map->gid);
	r = write_proc(pid, "gid_map", line);
	if (r < 0)
		return bpfd_error_set(err, BPFD_STEP_GID_MAP, r,
				      "/proc/%d/gid_map '0 %u 1'", (int)pid,
				      (unsigned)map->gid);
	return 0;
}

bool bpfd_in_initial_userns(void)
{
	_cleanup_free_ char *line = NULL;
	size_t cap = 0;
	unsigned long a, b, c;
	FILE *f = fopen("/proc/self/uid_map", "re");
	bool init = false;

	if (!f)
		return false;
	/* The initial user namespace maps the whole 32-bit range onto itself.
	 */
	if (getline(&line, &cap, f) > 0 &&
	    sscanf(line, "%lu %lu %lu", &a, &b, &c) == 3)
		init = a == 0 && b == 0 && c == 4294967295UL;
	fclose(f);
	return init;
}

int bpfd_check_privilege(struct bpfd_error *err)
{
	cap_t caps = cap_get_proc();
	cap_flag_value_t v = CAP_CLEAR;

	if (!caps)
		return bpfd_error_set(err, BPFD_STEP_PRIVILEGE, errno,
				      "cap_get_proc");
	if (cap_get_flag(caps, CAP_SYS_ADMIN, CAP_EFFECTIVE, &v) < 0)
		v = CAP_CLEAR;
	cap_free(caps);
	if (v != CAP_SET)
		return bpfd_error_set(err, BPFD_STEP_PRIVILEGE, EPERM,
				      "(uid %u has no effective CAP_SYS_ADMIN)",
				      (unsigned)geteuid());
	if (!bpfd_in_initial_userns())
		return bpfd_error_set(err, BPFD_STEP_PRIVILEGE, EPERM,
				      "(running inside a user namespace)");
	return 0;
}
