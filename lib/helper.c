// SPDX-License-Identifier: LGPL-2.1-or-later
/* The file-capability helper's privileged step (lib/helper.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/nsfs.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include <bpfdelegate/userns.h>

#include "helper.h"
#include "internal.h"

int bpfd_helper_mode(void)
{
	int r;

	if (getuid() == 0)
		return 0;
	r = bpfd_cap_has(CAP_PERMITTED, CAP_SYS_ADMIN);
	if (r <= 0)
		return r;
	/* A file capability applies in the namespace the file belongs to:
	 * inside a user namespace it is worth nothing on the host. */
	return bpfd_in_initial_userns() ? 1 : 0;
}

int bpfd_helper_raised(void)
{
	return bpfd_cap_has(CAP_EFFECTIVE, CAP_SYS_ADMIN);
}

/* Permitted = {CAP_SYS_ADMIN} (when @keep), effective = @raise ? it : {}. */
static int set_caps(bool keep, bool raise)
{
	cap_value_t v = CAP_SYS_ADMIN;
	_cleanup_cap_ cap_t caps = cap_init();
	int r = 0;

	if (!caps)
		return -ENOMEM;
	if (keep && cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_SET) < 0)
		r = -errno;
	if (r == 0 && raise &&
	    cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_SET) < 0)
		r = -errno;
	if (r == 0 && cap_set_proc(caps) < 0)
		r = -errno;
	return r;
}

int bpfd_helper_lower(void)
{
	int r = set_caps(true, false);

	if (r == 0 &&
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
		r = -errno;
	return r;
}

int bpfd_helper_check_target(pid_t pid, uid_t caller, struct bpfd_error *err)
{
	_cleanup_close_ int pidfd = BPFD_NO_FD, ns = BPFD_NO_FD;
	char path[64];
	uid_t owner;

	pidfd = pidfd_open(pid, 0);
	if (pidfd < 0)
		return bpfd_error_set(err, BPFD_STEP_JOIN, errno, "pid %d",
				      (int)pid);
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	/* The ptrace check: the kernel's own, made on our (the caller's)
	 * credentials, CAP_SYS_ADMIN lowered (it would not help anyway:
	 * only CAP_SYS_PTRACE overrides it). */
	ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ns < 0 && (errno == EACCES || errno == EPERM)) {
		bpfd_error_set(err, BPFD_STEP_JOIN, errno,
			       "pid %d: you may not ptrace it, so you may not "
			       "delegate into its namespaces",
			       (int)pid);
		if (err) {
			err->refused = true;
			err->hint = NULL;
		}
		return -EACCES;
	}
	if (ns < 0)
		return bpfd_error_set(err, BPFD_STEP_JOIN, errno, "%s", path);
	if (ioctl(ns, NS_GET_OWNER_UID, &owner) < 0)
		return bpfd_error_set(err, BPFD_STEP_JOIN, errno,
				      "%s: NS_GET_OWNER_UID", path);
	/* The pid named the process we pinned, not a successor. */
	if (pidfd_send_signal(pidfd, 0, NULL, 0) < 0)
		return bpfd_error_set(err, BPFD_STEP_JOIN, ESRCH,
				      "pid %d exited", (int)pid);
	if (owner != caller) {
		bpfd_error_set(err, BPFD_STEP_JOIN, EACCES,
			       "pid %d: its user namespace belongs to uid %u, "
			       "not to you (uid %u)",
			       (int)pid, (unsigned)owner, (unsigned)caller);
		if (err) {
			err->refused = true;
			err->hint = NULL;
		}
		return -EACCES;
	}
	return 0;
}

/*
 * The only code that runs with CAP_SYS_ADMIN raised.  Its arguments: the
 * fs context fd from our own child (re-checked to be a bpf context by
 * bpfd_bpffs_delegate_steps; its user namespace is necessarily one the
 * caller may enter: the child has no capability of the initial namespace,
 * so it could only fsopen() in a namespace the caller owns or descends
 * from one), the masks (compared with the policy's verdict first), and
 * the owner (ignored: rootless runs have no --user, so no uid=/gid=).
 */
static int helper_delegate(void *ctx, int fs_fd, int child_pidfd,
			   const struct bpfd_delegation *d,
			   const struct bpfd_idmap *owner, uint64_t *done,
			   struct bpfd_error *err)
{
	const struct bpfd_helper_ctx *h = ctx;
	_cleanup_close_ int mnt = BPFD_NO_FD;
	int r;

	(void)child_pidfd;
	(void)owner;
	if (memcmp(d->mask, h->allowed.mask, sizeof(d->mask)) != 0)
		return bpfd_error_set(err, BPFD_STEP_POLICY, EACCES,
				      "the delegation differs from the one "
				      "the policy allowed");
	r = set_caps(true, true);
	if (r < 0)
		return bpfd_error_set(err, BPFD_STEP_PRIVILEGE, r,
				      "raise CAP_SYS_ADMIN");
	mnt = bpfd_bpffs_delegate_steps(fs_fd, d, NULL, done, err);
	r = set_caps(true, false);
	if (r < 0)
		return bpfd_error_set(err, BPFD_STEP_PRIVILEGE, EPERM,
				      "lower CAP_SYS_ADMIN: %s", strerror(-r));
	return TAKE_FD(mnt);
}

void bpfd_helper_privop(struct bpfd_privop *op, struct bpfd_helper_ctx *ctx)
{
	op->delegate = helper_delegate;
	op->ctx = ctx;
}
