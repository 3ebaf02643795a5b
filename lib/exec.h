/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Internal: the child side of `run`, between the setup and execvp. */
#ifndef BPFD_EXEC_H
#define BPFD_EXEC_H

#include <bpfdelegate/engine.h>

/*
 * Become what COMMAND runs as and leave it nothing else: --user with the
 * kept capabilities ambient, LIBBPF_BPF_TOKEN_PATH=@target, the signal
 * mask from @x, every fd above 2 close-on-exec.  0 or -errno with @err.
 */
int bpfd_exec_prepare(const struct bpfd_exec *x, const struct bpfd_idmap *map,
		      const char *target, struct bpfd_error *err);

/* execvp() with clearer errnos (see lib/exec.c); returns -errno. */
int bpfd_exec_search(char *const *argv);

/* Exit status for a failed execvp() errno: 127 not found, else 126. */
int bpfd_exec_status(int err);

#endif
