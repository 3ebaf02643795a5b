/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal: what a libbpf loader needs delegated to load a BPF ELF object
 * (issue 10, `bpfdelegate suggest`), derived without loading anything and
 * without privileges, as libbpf 1.5 derives it: see lib/objneeds.c.
 */
#ifndef BPFD_OBJNEEDS_H
#define BPFD_OBJNEEDS_H

#include <stddef.h>

#include <bpfdelegate/error.h>

#include "needs.h"

/* Larger objects are refused (EFBIG): real BPF objects are far smaller. */
#define BPFD_OBJ_MAX_SIZE (64u << 20)

/*
 * Add to @n what the object in @buf (@len bytes; @name for messages) needs.
 * Errors, with @err->refused and a one-line detail: -ENOEXEC not an ELF
 * file, not a 64-bit BPF object, or an ELF libbpf cannot open (its last
 * message in the detail); -EINVAL truncated or malformed section headers,
 * a program whose type libbpf cannot tell from its section name, or no
 * program at all; -EFBIG larger than BPFD_OBJ_MAX_SIZE; -ENOMEM.
 * Not thread-safe: libbpf's print callback is process-wide.  In this
 * process: see bpfd_objneeds_isolated() for untrusted input.
 */
int bpfd_objneeds_mem(const void *buf, size_t len, const char *name,
		      struct bpfd_needs *n, struct bpfd_error *err);

/*
 * The checks bpfd_objneeds_mem() makes before libbpf sees the buffer: an
 * ELF header, a 64-bit little-endian BPF relocatable object, section
 * headers and contents inside the buffer.  0 or the errors above.
 */
int bpfd_objneeds_check_elf(const void *buf, size_t len,
			    struct bpfd_error *err);

/*
 * bpfd_objneeds_check_elf() here, then bpfd_objneeds_mem() in a forked child
 * (lib/objneeds_child.c, with bpfd_objneeds_file()): libbpf 1.1 crashes on some malformed objects; such a
 * crash, or a child that takes longer than 10 s, is -EINVAL / -ETIMEDOUT with a
 * refusal detail
 * ("libbpf crashed reading it (signal 11, ...)").  Use this one for
 * untrusted input.
 */
int bpfd_objneeds_isolated(const void *buf, size_t len, const char *name,
			   struct bpfd_needs *n, struct bpfd_error *err);

/*
 * A refusal of the object: @err set (step ARGS, refused, the detail from
 * @fmt); returns -@e.
 */
int bpfd_objneeds_refuse(struct bpfd_error *err, int e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * bpfd_objneeds_isolated() on the file at @path, read once into memory (never
 * opened twice, never blocking on a FIFO).  Also -ENOENT & co from open,
 * -EISDIR a directory, -EINVAL not a regular file, -EFBIG too large.
 */
int bpfd_objneeds_file(const char *path, struct bpfd_needs *n,
		       struct bpfd_error *err);

#endif
