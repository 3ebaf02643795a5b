/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal: libmount, opened with dlopen() by the code that needs it (the
 * mountinfo tables of `list` and lib/diag_probe.c, and the mount-option
 * read-back on kernels without statmount's options, before 6.11), never
 * linked: libmount pulls in libblkid, libselinux and libpcre2, whose
 * loading and relocation cost every command ~0.5 ms at start
 * (docs/performance.md), and most commands never call it.  The pattern
 * systemd uses for its optional libraries, without the global cache:
 * each user opens it and closes it again (dlopen counts references).
 */
#ifndef BPFD_LIBMOUNT_DL_H
#define BPFD_LIBMOUNT_DL_H

#include <libmount.h>

struct bpfd_libmount {
	void *dl;
	struct libmnt_table *(*new_table)(void);
	void (*unref_table)(struct libmnt_table *);
	struct libmnt_iter *(*new_iter)(int);
	void (*free_iter)(struct libmnt_iter *);
	int (*table_parse_stream)(struct libmnt_table *, FILE *, const char *);
	int (*table_parse_file)(struct libmnt_table *, const char *);
	int (*table_next_fs)(struct libmnt_table *, struct libmnt_iter *,
			     struct libmnt_fs **);
	const char *(*fs_get_fs_options)(struct libmnt_fs *);
	const char *(*fs_get_fstype)(struct libmnt_fs *);
	const char *(*fs_get_root)(struct libmnt_fs *);
	const char *(*fs_get_source)(struct libmnt_fs *);
	const char *(*fs_get_target)(struct libmnt_fs *);
	int (*fs_get_id)(struct libmnt_fs *);
};

/*
 * Open libmount.so.1 and resolve the functions above into *@lm.  0, or
 * -ELIBACC when it cannot be loaded or lacks one of them (-EMFILE,
 * -ENFILE, -ENOMEM when that was why).  Close with
 * bpfd_libmount_close() (also after a failure).
 */
int bpfd_libmount_open(struct bpfd_libmount *lm);
void bpfd_libmount_close(struct bpfd_libmount *lm);

#endif
