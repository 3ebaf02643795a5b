/* SPDX-License-Identifier: GPL-2.0-or-later */
/* explain for libbpf's load, create and attach failures (explain_load.c). */
#ifndef BPFD_EXPLAIN_LOAD_H
#define BPFD_EXPLAIN_LOAD_H

#include <stdbool.h>

/*
 * Explain @text when it is one of libbpf's load failure messages: print
 * it (text, or one JSON document with @json) and return EXIT_OK, or
 * EXIT_FAIL.  EXIT_USAGE, printing nothing, when @text is none of them.
 * @path: the bpffs whose delegation the causes are checked against (NULL:
 * LIBBPF_BPF_TOKEN_PATH, else /sys/fs/bpf); @from_userns 1, 0, or -1 for
 * where explain runs.
 */
int explain_load(const char *text, const char *path, int from_userns,
		 bool json);

#endif
