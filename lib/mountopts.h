/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal: the decoders of a bpffs's mount options as mountinfo shows them
 * (lib/mounts.c), exposed for the fuzzer (tests/fuzz/fuzz_mountinfo.c).
 */
#ifndef BPFD_MOUNTOPTS_H
#define BPFD_MOUNTOPTS_H

#include <stdbool.h>

#include <bpfdelegate/delegation.h>
#include <bpfdelegate/error.h>

#include <stddef.h>

/*
 * Option @key of the comma-separated @opts, found as libmount's
 * mnt_optstr_get_option() finds it: true when present, *@val its value
 * (NULL for "key" alone), *@len the value's length.
 */
bool bpfd_optstr_get(const char *opts, const char *key, const char **val,
		     size_t *len);

/*
 * Option @key of the comma-separated @opts ("rw,uid=1000,mode=700") as an
 * unsigned number in @base.  False when it is missing, empty, longer than
 * 31 bytes or not a number.
 */
bool bpfd_mount_opt_number(const char *opts, const char *key, int base,
			   unsigned long *out);

/*
 * The four delegate_* options of @opts (LIST syntax, names from @names,
 * which may be NULL) into @out; a missing option is 0.  0, or -errno with
 * @err (step MOUNTINFO): -EINVAL an option without a value or a list that
 * does not parse, -E2BIG one longer than 1023 bytes.
 */
int bpfd_mount_decode_options(const char *opts, const struct bpfd_names *names,
			      struct bpfd_delegation *out,
			      struct bpfd_error *err);

/*
 * bpfd_mount_decode_options() into *@d, zeroed first, without an error
 * record: false when it fails.
 */
bool bpfd_mount_decode_delegation(const char *opts,
				  const struct bpfd_names *names,
				  struct bpfd_delegation *d);

struct bpfd_libmount;

/*
 * Does statmount(2) give mount options here (6.11+, not refused by a
 * seccomp profile)?  Asked of the root filesystem, before any setns.
 */
bool bpfd_statmount_has_options(void);

/*
 * The mount options of the mount @fd is on, as mountinfo's super options
 * show them ("rw,uid=0,delegate_cmds=any"; an LSM's options excepted)
 * into @raw, the delegate_* masks decoded into *@out.  Without @lm: with
 * statmount(2) by the mount's unique id (only where
 * bpfd_statmount_has_options() said yes).  With @lm (libmount, opened by
 * the caller before it entered another mount namespace, where a dlopen
 * would load that namespace's files): the mountinfo of our mount
 * namespace, "self/mountinfo" under @proc_fd (a /proc directory fd).
 * 0 or -errno (EINVAL: an option that does not decode; ENOENT: the mount
 * is not in our namespace).
 */
int bpfd_bpffs_options_of(int fd, int proc_fd, const struct bpfd_libmount *lm,
			  const struct bpfd_names *names,
			  struct bpfd_delegation *out, char *raw, size_t rawlen,
			  struct bpfd_error *err);

#endif
