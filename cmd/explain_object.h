/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BPFD_EXPLAIN_OBJECT_H
#define BPFD_EXPLAIN_OBJECT_H

#include <stdbool.h>

/*
 * `explain --object OBJ [--path BPFFS]`: what OBJ needs (as `suggest`
 * derives it) against what the bpffs at @path (NULL: LIBBPF_BPF_TOKEN_PATH,
 * else /sys/fs/bpf) delegates, read back from a token made from it, else
 * from its mount options; each missing item with the option that adds
 * it.  Returns the exit code: 0 explained (items missing or not), 1 the
 * bpffs cannot be read, 2 the object cannot be read.
 */
int explain_object(const char *obj, const char *path, bool json);

#endif
