// SPDX-License-Identifier: LGPL-2.1-or-later
/* libmount through dlopen(): see lib/libmount_dl.h. */
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "libmount_dl.h"

int bpfd_libmount_open(struct bpfd_libmount *lm)
{
	static const struct {
		const char *name;
		size_t off;
	} sym[] = {
#define SYM(f) {"mnt_" #f, offsetof(struct bpfd_libmount, f)}
	    SYM(new_table),	SYM(unref_table),	 SYM(new_iter),
	    SYM(free_iter),	SYM(table_parse_stream), SYM(table_parse_file),
	    SYM(table_next_fs), SYM(fs_get_fs_options),	 SYM(fs_get_fstype),
	    SYM(fs_get_root),	SYM(fs_get_source),	 SYM(fs_get_target),
	    SYM(fs_get_id),
#undef SYM
	};

	memset(lm, 0, sizeof(*lm));
	/* The soname: the unversioned .so is only in libmount-dev. */
	errno = 0;
	lm->dl = dlopen("libmount.so.1", RTLD_NOW | RTLD_LOCAL);
	/* Out of fds or memory is ours to say, not a missing library. */
	if (!lm->dl)
		return errno == EMFILE || errno == ENFILE || errno == ENOMEM
			   ? -errno
			   : -ELIBACC;
	for (size_t i = 0; i < sizeof(sym) / sizeof(sym[0]); i++) {
		void *f = dlsym(lm->dl, sym[i].name);

		if (!f) {
			bpfd_libmount_close(lm);
			return -ELIBACC;
		}
		memcpy((char *)lm + sym[i].off, &f, sizeof(f));
	}
	return 0;
}

void bpfd_libmount_close(struct bpfd_libmount *lm)
{
	if (lm->dl)
		dlclose(lm->dl);
	memset(lm, 0, sizeof(*lm));
}
