/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal: how every child that enters a foreign namespace is set up.
 *
 * Such a child is host root until it switches ids, and processes of the
 * namespace it joins may hold CAP_SYS_PTRACE there: it must offer them
 * nothing (no ptrace, no /proc/PID/{mem,environ,fd}, none of the caller's
 * fds, no host directory as cwd) and must not outlive its parent.  The
 * engine's child, the token probe of `list --pid` and the clean-up child
 * of attach all start with bpfd_child_harden().
 */
#ifndef BPFD_NSCHILD_H
#define BPFD_NSCHILD_H

#include <stddef.h>
#include <sys/types.h>

/*
 * In a freshly forked child of @parent, before any setns()/unshare():
 * close every fd >= 3 except the @nkeep fds in @keep (negative entries are
 * ignored), chdir("/"), then bpfd_child_rearm().  0 or -errno; on failure
 * the child must _exit() at once.
 */
int bpfd_child_harden(pid_t parent, const int *keep, size_t nkeep);

/*
 * PR_SET_PDEATHSIG SIGKILL (then check that @parent is still our parent:
 * it may have died before the prctl) and PR_SET_DUMPABLE 0.  The kernel
 * resets both on every change of the effective or fs ids, so call it again
 * after each setres[ug]id().  0, -ESRCH when the parent is gone, or -errno.
 */
int bpfd_child_rearm(pid_t parent);

/*
 * Rootless (the file-capability helper's children): empty the permitted,
 * effective and inheritable sets and the ambient set, so that the child
 * never holds a capability of the initial user namespace (the helper's
 * CAP_SYS_ADMIN, permitted, is inherited over fork).  Dropping needs no
 * privilege.  The bounding set stays: only what an exec would gain from
 * a file is bounded by it, and no exec happens in the initial namespace.
 * 0 or -errno.
 */
int bpfd_caps_drop_all(void);

/*
 * bpfd_caps_drop_all(), unless the caller is certainly inside a user
 * namespace other than the initial one (/proc/self/ns/user's inode is not
 * the initial namespace's): there its capabilities are that namespace's,
 * the caller's own, and count for nothing on the host.  rootless podman
 * runs hooks so; joining runc's non-dumpable init needs CAP_SYS_PTRACE
 * over podman's user namespace.  When in doubt, drops.  0 or -errno.
 */
int bpfd_caps_drop_host(void);

/*
 * Point fds 0-2 (but those among the @nkeep fds of @keep) at /dev/null, for
 * a child that reads and writes nothing: the caller's terminal or pipes are
 * not for the namespace it enters.  0 or -errno.
 */
int bpfd_child_null_stdio(const int *keep, size_t nkeep);

#endif
