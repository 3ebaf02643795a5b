/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal: the file-capability helper (issue 12).  A copy of bpfdelegate
 * installed with `setcap cap_sys_admin+p` runs for an unprivileged caller
 * with CAP_SYS_ADMIN in its permitted set only.  It raises it into the
 * effective set around bpfd_bpffs_delegate_steps() alone (the privop
 * below), after the policy allowed the request; everything else, the
 * engine's children and COMMAND included, runs without it.
 */
#ifndef BPFD_HELPER_H
#define BPFD_HELPER_H

#include <stdbool.h>
#include <sys/types.h>

#include <bpfdelegate/delegation.h>
#include <bpfdelegate/error.h>

#include "privop.h"

/*
 * Helper mode: not root (real uid != 0), in the initial user namespace,
 * CAP_SYS_ADMIN in the permitted set.  1 when so, 0 when not, -errno when
 * it cannot tell.
 */
int bpfd_helper_mode(void);

/*
 * Keep CAP_SYS_ADMIN in the permitted set only: every other capability
 * (a copy installed with more than it needs) dropped from all sets, the
 * effective, inheritable and ambient sets emptied.  0 or -errno.
 */
int bpfd_helper_lower(void);

/*
 * Is CAP_SYS_ADMIN in the process's effective set now?  1, 0, -errno.
 * (What the tests and the privop's own check look at.)
 */
int bpfd_helper_raised(void);

/*
 * attach / oci-hook by an unprivileged caller: may @caller enter the
 * namespaces of @pid?  Checked with the caller's own credentials (call it
 * with CAP_SYS_ADMIN lowered): /proc/PID/ns/user is opened, which the
 * kernel allows only to who may ptrace the process (PTRACE_MODE_READ,
 * fs credentials), and its owner (NS_GET_OWNER_UID) must be @caller.
 * The process is pinned by a pidfd meanwhile.  0, or -EACCES/-EPERM with
 * @err (refused: step BPFD_STEP_JOIN, the reason in the detail), -ESRCH,
 * or another -errno.
 */
int bpfd_helper_check_target(pid_t pid, uid_t caller, struct bpfd_error *err);

/* What the helper's privop delegates: exactly what the policy allowed. */
struct bpfd_helper_ctx {
	struct bpfd_delegation allowed;
};

/*
 * Fill @op: its delegate() refuses (-EACCES, BPFD_STEP_POLICY) any
 * delegation other than @ctx->allowed, raises CAP_SYS_ADMIN (effective),
 * calls bpfd_bpffs_delegate_steps() on the received fs context, and
 * lowers it again before returning, whatever happened.  It opens no path
 * while raised but /proc/self/fd/N (the received fd's own link).  Should
 * the lowering fail, the mount is closed and -EPERM returned: the caller
 * must then exit.
 */
void bpfd_helper_privop(struct bpfd_privop *op, struct bpfd_helper_ctx *ctx);

#endif
