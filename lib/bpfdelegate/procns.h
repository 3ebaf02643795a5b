/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Other processes' namespaces: pin a process with a pidfd, check that it
 * lives in a user namespace of its own, open its root, and resolve paths
 * inside a root without ever leaving it.
 */
#ifndef BPFDELEGATE_PROCNS_H
#define BPFDELEGATE_PROCNS_H

#include <stdbool.h>
#include <sys/types.h>

#include <bpfdelegate/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A process pinned by a pidfd, with its root directory opened (O_PATH). */
struct bpfd_proc {
	pid_t pid;
	int pidfd;   /* owned: close with bpfd_proc_close() */
	int root_fd; /* /proc/PID/root, O_PATH, owned */
};

/*
 * Pin @pid (pidfd_open), check it is not in the initial user namespace
 * (a token can never be made there) nor in the host's mount namespace (the
 * mount would appear on the host), open its root.  Every /proc lookup is
 * confirmed afterwards against the pidfd, so a recycled pid is noticed.
 * Errors with @err: -ESRCH (no such process), -EINVAL (in the initial user
 * or mount namespace; err->hint says which), -EPERM, other -errno.
 */
int bpfd_proc_open(pid_t pid, struct bpfd_proc *p, struct bpfd_error *err);
void bpfd_proc_close(struct bpfd_proc *p);

/*
 * Open the directory @path inside @root_fd: symlinks and ".." cannot lead
 * outside it (openat2 RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS).  With
 * @create, a missing last component is created (mode 0755) inside the
 * root, never outside.  Returns an O_PATH directory fd or -errno with @err
 * (-ENOTDIR, -ENOENT, -ELOOP, -EXDEV...).
 */
int bpfd_open_in_root(int root_fd, const char *path, bool create,
		      struct bpfd_error *err);

#ifdef __cplusplus
}
#endif
#endif
