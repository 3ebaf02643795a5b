// SPDX-License-Identifier: LGPL-2.1-or-later
/* The child side of `run`: user, capabilities, environment, fds. */
#include <errno.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "exec.h"
#include "internal.h"

/*
 * setresuid() away from the namespace root clears the effective set and,
 * without PR_SET_KEEPCAPS, the permitted set too.  Keep them across the
 * switch, then reduce permitted/effective/inheritable to @keep and raise
 * each kept capability as ambient, so that it survives execve() of an
 * ordinary (non-setuid, no file capabilities) program.
 */
static int keep_caps_as(uid_t uid, gid_t gid, uint64_t keep,
			struct bpfd_error *err)
{
	const cap_flag_t sets[] = {CAP_PERMITTED, CAP_EFFECTIVE,
				   CAP_INHERITABLE};
	cap_t caps;
	int r = 0;

	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 ||
	    setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
		return bpfd_error_set(err, BPFD_STEP_USER, errno,
				      "uid %u gid %u", (unsigned)uid,
				      (unsigned)gid);
	caps = cap_init();
	if (!caps)
		return bpfd_error_set(err, BPFD_STEP_USER, ENOMEM, NULL);
	for (cap_value_t v = 0; v < 64 && v <= CAP_LAST_CAP; v++) {
		if (!(keep & (1ULL << v)))
			continue;
		for (size_t i = 0; i < ARRAY_SIZE(sets); i++)
			cap_set_flag(caps, sets[i], 1, &v, CAP_SET);
	}
	if (cap_set_proc(caps) < 0)
		r = bpfd_error_set(err, BPFD_STEP_USER, errno, "cap_set_proc");
	cap_free(caps);
	for (cap_value_t v = 0; r == 0 && v < 64 && v <= CAP_LAST_CAP; v++) {
		int e;
		char *name;

		if (!(keep & (1ULL << v)) || cap_set_ambient(v, CAP_SET) == 0)
			continue;
		e = errno;
		/* cap_to_name() allocates (NULL on ENOMEM): cap_free() it */
		name = cap_to_name(v);
		r = bpfd_error_set(err, BPFD_STEP_USER, e, "ambient %s",
				   name ? name : "capability");
		cap_free(name);
	}
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	return r;
}

int bpfd_exec_prepare(const struct bpfd_exec *x, const struct bpfd_idmap *map,
		      const char *target, struct bpfd_error *err)
{
	int r;

	if (x->set_user) {
		r = keep_caps_as(map->user_uid, map->user_gid, x->keep_caps,
				 err);
		if (r < 0)
			return r;
	}
	/* libbpf 1.4+ then creates its token from our mount, unchanged. */
	if (setenv("LIBBPF_BPF_TOKEN_PATH", target, 1) < 0)
		return bpfd_error_set(err, BPFD_STEP_EXEC, errno,
				      "LIBBPF_BPF_TOKEN_PATH");
	if (sigprocmask(SIG_SETMASK, &x->sigmask, NULL) < 0)
		return bpfd_error_set(err, BPFD_STEP_EXEC, errno,
				      "sigprocmask");
	/* COMMAND gets 0-2 and nothing else; our socket stays open until the
	 * exec succeeds, so that a failure can still be reported. */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		return bpfd_error_set(err, BPFD_STEP_EXEC, errno,
				      "close_range");
	return 0;
}

/*
 * execv(), and like execvp() a file the kernel cannot execute (ENOEXEC: a
 * script without "#!") is run by /bin/sh.  Returns only on failure, with
 * the errno of the first attempt.
 */
static int exec_file(const char *path, char *const *argv)
{
	size_t n = 0;
	char **sh;
	int err;

	execv(path, argv);
	err = errno;
	if (err != ENOEXEC)
		return err;
	while (argv[n])
		n++;
	sh = calloc(n + 2, sizeof(*sh));
	if (!sh)
		return err;
	sh[0] = "sh";
	sh[1] = (char *)path;
	for (size_t i = 1; i < n; i++)
		sh[i + 1] = argv[i];
	execv("/bin/sh", sh);
	free(sh);
	return err;
}

/*
 * execvp(), except for the errno of a failure: a PATH directory the user
 * may not search is "not found there", not EACCES, so that a missing
 * command is ENOENT (127) and only a file that exists but cannot be run is
 * EACCES/ENOEXEC (126).
 */
int bpfd_exec_search(char *const *argv)
{
	const char *path = getenv("PATH");
	char buf[4096];
	int err = ENOENT;

	/* "" is no name: the PATH search would find each directory itself
	 * (EACCES, 126); shells say "command not found" (127). */
	if (!argv[0][0])
		return -ENOENT;
	if (strchr(argv[0], '/'))
		return -exec_file(argv[0], argv);
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path;; p++) {
		const char *end = strchrnul(p, ':');
		struct stat st;

		if (snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(end - p), p,
			     end > p ? "/" : "", argv[0]) < (int)sizeof(buf) &&
		    stat(buf, &st) == 0)
			err = exec_file(buf, argv);
		if (!*end)
			break;
		p = end;
	}
	return -err;
}

int bpfd_exec_status(int err)
{
	return err == ENOENT ? 127 : 126;
}
