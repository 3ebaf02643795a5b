/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal: the four enums read from the running kernel's BTF, kept for
 * the boot in @dir/kernel-names (lib/btf_cache.c says when it is trusted).
 */
#ifndef BPFD_BTF_CACHE_H
#define BPFD_BTF_CACHE_H

#include <sys/stat.h>

#include <bpfdelegate/delegation.h>
#include <bpfdelegate/error.h>

#include "btf_enums.h"

/* Where root keeps them: /run is emptied at boot.  (The test build's is
 * under its build directory: Makefile.) */
#ifndef BPFD_CACHE_DIR
#define BPFD_CACHE_DIR "/run/bpfdelegate"
#endif

/* bpfd_names_load() for the running kernel, its enums kept for the boot in
 * BPFD_CACHE_DIR: the CLI's way (lib/names.c). */
int bpfd_names_load_kept(struct bpfd_names **out, struct bpfd_error *err);

/* The enums kept for the BTF file @btf (its stat): 0 with @out filled (free
 * it with bpfd_btf_enums_free()), -ENOENT when there is no cache to trust,
 * -ENOMEM. */
int bpfd_btf_cache_read(const char *dir, const struct stat *btf,
			struct bpfd_btf_enums *out);

/* Keep @e, read from @btf, when we are root; errors are ignored (the next
 * reader reads BTF). */
void bpfd_btf_cache_write(const char *dir, const struct stat *btf,
			  const struct bpfd_btf_enums *e);

#endif
