/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal: the engine's privileged step for callers that are not root
 * (issue 12).  The engine's parent (lib/engine.c) normally calls
 * bpfd_bpffs_delegate_steps() itself; with opts->privop set it asks this
 * instead, and runs everything else as the unprivileged caller:
 *
 *   - the file-capability helper: raises CAP_SYS_ADMIN (permitted only
 *     outside) around bpfd_bpffs_delegate_steps(), after the policy;
 *   - a client of `bpfdelegate serve`: sends the request and @child_pidfd
 *     to the service, which checks the policy and the owner of the
 *     pidfd's user namespace, opens its own fs context there and sends
 *     back the mount fd (@fs_fd is then unused).
 *
 * In rootless mode the engine's child writes its own id maps (the
 * caller's own uid/gid only, as `unshare -r` does), and never holds a
 * capability of the initial user namespace.
 */
#ifndef BPFD_PRIVOP_H
#define BPFD_PRIVOP_H

#include <stdint.h>

#include <bpfdelegate/delegation.h>
#include <bpfdelegate/error.h>
#include <bpfdelegate/userns.h>

struct bpfd_privop {
	/*
	 * Return a detached bpffs mount fd (O_PATH) delegating @d for the
	 * user namespace of the engine's child (@child_pidfd), or -errno
	 * with @err (a policy refusal: -EACCES, step BPFD_STEP_POLICY).
	 * OR the steps done into *@done, as bpfd_bpffs_delegate_steps().
	 */
	int (*delegate)(void *ctx, int fs_fd, int child_pidfd,
			const struct bpfd_delegation *d,
			const struct bpfd_idmap *owner, uint64_t *done,
			struct bpfd_error *err);
	void *ctx;
};

#endif
