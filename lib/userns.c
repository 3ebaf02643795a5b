// SPDX-License-Identifier: LGPL-2.1-or-later
/* Id maps and the privilege check. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpfdelegate/userns.h>

#include "compat.h"
#include "internal.h"

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
	struct bpfd_idmap m = {0};

	m.uid = (uid_t)parse_id(sudo_uid, getuid());
	m.gid = (gid_t)parse_id(sudo_gid, getgid());
	/* Never hand host root to the namespace silently. */
	if (m.uid == 0)
		m.uid = BPFD_OVERFLOW_ID;
	if (m.gid == 0)
		m.gid = BPFD_OVERFLOW_ID;
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

/* "0 OUT 1\n" plus "ID ID 1\n" for the extra id. */
static void map_text(char *buf, size_t len, unsigned int root_out, bool extra,
		     unsigned int id)
{
	int n = snprintf(buf, len, "0 %u 1\n", root_out);

	if (extra && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "%u %u 1\n", id, id);
}

int bpfd_userns_write_maps(pid_t pid, const struct bpfd_idmap *map,
			   struct bpfd_error *err)
{
	char text[96];
	int r;

	map_text(text, sizeof(text), map->uid, map->has_user, map->user_uid);
	r = write_proc(pid, "uid_map", text);
	if (r < 0)
		return bpfd_error_set(err, BPFD_STEP_UID_MAP, r,
				      "/proc/%d/uid_map '%.*s'", (int)pid,
				      (int)strcspn(text, "\n"), text);
	r = write_proc(pid, "setgroups", "deny");
	/* ENOENT: kernels before 3.19 have no setgroups file. */
	if (r < 0 && r != -ENOENT)
		return bpfd_error_set(err, BPFD_STEP_SETGROUPS, r,
				      "/proc/%d/setgroups", (int)pid);
	map_text(text, sizeof(text), map->gid, map->has_user, map->user_gid);
	r = write_proc(pid, "gid_map", text);
	if (r < 0)
		return bpfd_error_set(err, BPFD_STEP_GID_MAP, r,
				      "/proc/%d/gid_map '%.*s'", (int)pid,
				      (int)strcspn(text, "\n"), text);
	return 0;
}

int bpfd_userns_write_self_maps(uid_t uid, gid_t gid, struct bpfd_error *err)
{
	char text[32];
	int r;

	/* Unprivileged, gid_map is accepted only once setgroups is "deny"
	 * (CVE-2014-8989: else dropping a group could grant access). */
	r = write_proc(getpid(), "setgroups", "deny");
	if (r < 0 && r != -ENOENT)
		return bpfd_error_set(err, BPFD_STEP_SETGROUPS, r,
				      "/proc/self/setgroups");
	/* One line, one id, the writer's own euid/egid: all the kernel lets
	 * a process without CAP_SETUID/CAP_SETGID over the parent map. */
	snprintf(text, sizeof(text), "0 %u 1\n", (unsigned)uid);
	r = write_proc(getpid(), "uid_map", text);
	if (r < 0)
		return bpfd_error_set(err, BPFD_STEP_UID_MAP, r,
				      "/proc/self/uid_map '0 %u 1'",
				      (unsigned)uid);
	snprintf(text, sizeof(text), "0 %u 1\n", (unsigned)gid);
	r = write_proc(getpid(), "gid_map", text);
	if (r < 0)
		return bpfd_error_set(err, BPFD_STEP_GID_MAP, r,
				      "/proc/self/gid_map '0 %u 1'",
				      (unsigned)gid);
	return 0;
}

/*
 * 1 when the caller is in the initial user namespace, 0 when not, or
 * -errno when it cannot tell (/proc unreadable, out of fds or memory): a
 * failed open says nothing about the namespace.
 */
static int in_initial_userns(struct bpfd_error *err)
{
	struct stat st;

	/*
	 * The initial user namespace has a fixed inode number
	 * (PROC_USER_INIT_INO, since 3.8), which no other namespace gets; a
	 * full-range uid_map would not tell, a child namespace can have one
	 * too.  (Reading uid_map as well cost ~8 us a call, four calls for
	 * an attach, and told nothing more.)  No fd: a caller at its
	 * RLIMIT_NOFILE gets its EMFILE from the step that needs one.
	 */
	int r = bpfd_self_ns_stat("user", &st);

	if (r < 0)
		return bpfd_error_set(err, BPFD_STEP_PRIVILEGE, -r,
				      "/proc/self/ns/user");
	return st.st_ino == BPFD_INIT_USERNS_INO;
}

/* The process of bpfd_ns_fixed() (0: none) and its stats, made once. */
static pid_t ns_fixed_pid;
static struct {
	const char *ns;
	bool have;
	struct stat st;
} ns_stats[] = {{"user", false, {0}}, {"mnt", false, {0}}};

void bpfd_ns_fixed(void)
{
	ns_fixed_pid = getpid();
}

int bpfd_pidfd_ns_stat(int pidfd, const char *ns, struct stat *st)
{
	unsigned long req = strcmp(ns, "user") == 0  ? PIDFD_GET_USER_NAMESPACE
			    : strcmp(ns, "mnt") == 0 ? PIDFD_GET_MNT_NAMESPACE
						     : 0;
	int fd, r = 0;

	if (!req)
		return -EINVAL;
	fd = ioctl(pidfd, req, 0);
	if (fd < 0)
		return -errno;
	if (fstat(fd, st) < 0)
		r = -errno;
	close(fd);
	return r;
}

int bpfd_self_ns_stat(const char *ns, struct stat *st)
{
	char path[64];
	size_t i = 0;
	int pidfd, r;

	/* Only in the process that said so: a forked child (another pid)
	 * may have joined or made other namespaces since. */
	if (ns_fixed_pid && ns_fixed_pid == getpid())
		while (i < ARRAY_SIZE(ns_stats) && strcmp(ns_stats[i].ns, ns))
			i++;
	else
		i = ARRAY_SIZE(ns_stats);
	if (i < ARRAY_SIZE(ns_stats) && ns_stats[i].have) {
		*st = ns_stats[i].st;
		return 0;
	}
	/* Through a pidfd of our own where the kernel can (6.11+); its fds
	 * live only here (at RLIMIT_NOFILE: /proc, which needs none). */
	pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
	r = pidfd >= 0 ? bpfd_pidfd_ns_stat(pidfd, ns, st) : -errno;
	if (pidfd >= 0)
		close(pidfd);
	snprintf(path, sizeof(path), "/proc/self/ns/%s", ns);
	if (r < 0 && stat(path, st) < 0)
		return -errno;
	if (i < ARRAY_SIZE(ns_stats)) {
		ns_stats[i].st = *st;
		ns_stats[i].have = true;
	}
	return 0;
}

uint64_t bpfd_userns_ino(const char *path)
{
	struct stat st;

	if (!path || stat(path, &st) < 0)
		return 0;
	return (uint64_t)st.st_ino;
}

int bpfd_caps_get(cap_flag_t set, uint64_t *mask)
{
	_cleanup_cap_ cap_t caps = cap_get_proc();
	cap_flag_value_t on;

	*mask = 0;
	if (!caps)
		return -errno;
	/* Capabilities this libcap does not know fail with EINVAL: unset. */
	for (cap_value_t v = 0; v < 64; v++)
		if (cap_get_flag(caps, v, set, &on) == 0 && on == CAP_SET)
			*mask |= 1ULL << v;
	return 0;
}

int bpfd_cap_has(cap_flag_t set, cap_value_t cap)
{
	/* capget(2) itself: libcap's cap_get_proc() is two capget calls and
	 * a malloc, and an attach asks three times (issue 11). */
	struct {
		uint32_t version;
		int pid;
	} h = {0x20080522 /* _LINUX_CAPABILITY_VERSION_3 */, 0};
	struct {
		uint32_t effective, permitted, inheritable;
	} d[2] = {{0}};
	uint32_t w;

	if (cap < 0 || cap >= 64 ||
	    (set != CAP_EFFECTIVE && set != CAP_PERMITTED &&
	     set != CAP_INHERITABLE))
		return -EINVAL;
	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	w = set == CAP_EFFECTIVE   ? d[cap / 32].effective
	    : set == CAP_PERMITTED ? d[cap / 32].permitted
				   : d[cap / 32].inheritable;
	return (w >> (cap % 32)) & 1;
}

bool bpfd_in_initial_userns(void)
{
	return in_initial_userns(NULL) == 1;
}

bool bpfd_in_child_userns(void)
{
	return in_initial_userns(NULL) == 0;
}

int bpfd_check_privilege(struct bpfd_error *err)
{
	int r = bpfd_cap_has(CAP_EFFECTIVE, CAP_SYS_ADMIN);

	if (r < 0)
		return bpfd_error_set(err, BPFD_STEP_PRIVILEGE, -r,
				      "cap_get_proc");
	if (!r)
		return bpfd_error_set(err, BPFD_STEP_PRIVILEGE, EPERM,
				      "(uid %u has no effective CAP_SYS_ADMIN)",
				      (unsigned)geteuid());
	r = in_initial_userns(err);
	if (r < 0)
		return r;
	if (!r)
		return bpfd_error_set(err, BPFD_STEP_PRIVILEGE, EPERM,
				      "(running inside a user namespace)");
	return 0;
}
