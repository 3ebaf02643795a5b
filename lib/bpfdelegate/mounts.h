/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bpffs mounts as a process sees them: list them from a mountinfo file
 * (libmount), decode their options, and find out which user namespace owns
 * a bpffs instance.
 *
 * The owner of a bpffs superblock (the user namespace whose creds called
 * fsopen("bpf")) is not shown anywhere read-only: not in mountinfo (uid=
 * and gid= are the root directory's owner, seen from the initial user
 * namespace), not by statmount() (its uidmap/gidmap are the mount's idmap,
 * mnt_ns_id the mount namespace), not in fdinfo, and NS_GET_USERNS only
 * takes namespace fds.  The one authority is BPF_TOKEN_CREATE itself, which
 * compares the caller's user namespace with the owner before anything else
 * (kernel/bpf/token.c): bpfd_bpffs_owner() asks it, and never keeps a token.
 */
#ifndef BPFDELEGATE_MOUNTS_H
#define BPFDELEGATE_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <bpfdelegate/delegation.h>
#include <bpfdelegate/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Inode number of the initial user namespace in nsfs (PROC_USER_INIT_INO). */
#define BPFD_INIT_USERNS_INO 0xEFFFFFFDULL

/* Which user namespace owns a bpffs, as far as could be told. */
enum bpfd_owner {
	BPFD_OWNER_UNKNOWN = 0,
	BPFD_OWNER_INITIAL,	/* the initial user namespace: no token ever */
	BPFD_OWNER_NOT_INITIAL, /* a user namespace, not the initial one */
	BPFD_OWNER_CALLER,	/* the caller's own (non-initial) namespace */
	BPFD_OWNER_NOT_CALLER,	/* not the caller's (non-initial) namespace:
				   the initial one or another */
	BPFD_OWNER_TARGET,	/* the user namespace given as target */
};

struct bpfd_owner_info {
	enum bpfd_owner owner;
	uint64_t userns_ino; /* nsfs inode of the owner when known, else 0 */
	int err;	     /* errno of the token attempt that told (0: a
				token was made and closed); -1: none tried */
	char how[224];	     /* method and evidence, one line for users */
};

/* "initial", "not-initial", "caller", "not-caller", "target", "unknown" */
const char *bpfd_owner_name(enum bpfd_owner owner);

/*
 * Find out which user namespace owns the bpffs whose root @root_fd is (an
 * fd opened O_RDONLY on the mount's root, not O_PATH):
 *  - in the initial user namespace with CAP_BPF: BPF_TOKEN_CREATE returns
 *    EOPNOTSUPP for a bpffs of the initial namespace, EPERM for any other;
 *  - in another user namespace with CAP_BPF there: a token (closed at
 *    once) or ENOENT means ours, EPERM someone else's;
 *  - when still undecided and @target_userns_fd >= 0 (an nsfs fd, e.g.
 *    /proc/PID/ns/user): a forked child joins that user namespace (setns,
 *    needs CAP_SYS_ADMIN over it) and tries the same.
 * Without CAP_BPF nothing can be told (BPFD_OWNER_UNKNOWN, with why in
 * out->how).  An LSM that denies token creation with EPERM would read as
 * "another namespace".  Returns 0 (also when unknown) or -EINVAL for bad
 * arguments.
 */
int bpfd_bpffs_owner(int root_fd, int target_userns_fd,
		     struct bpfd_owner_info *out);

/* nsfs inode of the user namespace of @path (e.g. "/proc/self/ns/user"), or
 * 0 when it cannot be read. */
uint64_t bpfd_userns_ino(const char *path);

/* One bpffs mount as listed in a mountinfo file. */
struct bpfd_bpffs_mount {
	int mnt_id;
	char target[512]; /* mount point, as the file's process sees it */
	char root[256];	  /* root of the mount in the fs: "/" = the bpffs's
			     own root (else a bind mount of a directory) */
	char source[64];
	char options[4096]; /* the fs options, raw */
	uid_t uid;	    /* the root directory's owner: uid=/gid= as the */
	gid_t gid;	    /* kernel shows them (initial namespace), else 0 */
	unsigned int mode;  /* mode=, else 0777 */
	bool deleg_ok;	    /* the delegate_* options could be decoded */
	struct bpfd_delegation deleg;
};

/*
 * The bpffs mounts listed in @mountinfo (e.g. "/proc/self/mountinfo",
 * "/proc/PID/mountinfo"), in file order.  The delegate_* options are
 * decoded with @names (may be NULL: numbers and "any" only); an option that
 * does not decode leaves deleg_ok false.  *@out (free() it) has *@count
 * entries, possibly 0.  Returns 0, or -errno (with @err) when the file
 * cannot be read or parsed.
 */
int bpfd_bpffs_mounts(const char *mountinfo, const struct bpfd_names *names,
		      struct bpfd_bpffs_mount **out, size_t *count,
		      struct bpfd_error *err);

/* Any mount, by id, from a mountinfo file. */
struct bpfd_mount_brief {
	int mnt_id;
	char fstype[32];
	char target[512];
	char root[256];
	char options[4096]; /* fs options */
};

/* Look mount @mnt_id up in @mountinfo: 0, -ENOENT, or another -errno. */
int bpfd_mount_lookup(const char *mountinfo, int mnt_id,
		      struct bpfd_mount_brief *out);

/*
 * Open directory @path read-only (close-on-exec), resolved inside the root
 * directory @root_fd (e.g. an fd of /proc/PID/root: RESOLVE_IN_ROOT, so
 * that symlinks in a container cannot escape it), or from the caller's root
 * when @root_fd < 0.  Magic links are never followed.  Returns the fd or
 * -errno.
 */
int bpfd_open_dir_in_root(int root_fd, const char *path);

#ifdef __cplusplus
}
#endif
#endif
