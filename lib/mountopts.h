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

#endif
