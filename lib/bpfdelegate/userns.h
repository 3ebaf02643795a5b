/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* User namespaces: id maps and the privilege of the caller. */
#ifndef BPFDELEGATE_USERNS_H
#define BPFDELEGATE_USERNS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <bpfdelegate/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The id maps of a new user namespace: its root (0) is @uid / @gid outside;
 * with @has_user, also @user_uid / @user_gid inside are the same numbers
 * outside (the --user of `run`).  Every range is one id long.
 */
struct bpfd_idmap {
	uid_t uid;
	gid_t gid;
	bool has_user;
	uid_t user_uid;
	gid_t user_gid;
};

/* Inode number of the initial user namespace in nsfs (PROC_USER_INIT_INO). */
#define BPFD_INIT_USERNS_INO 0xEFFFFFFDULL

/* nsfs inode of the user namespace of @path (e.g. "/proc/self/ns/user"), or
 * 0 when it cannot be read. */
uint64_t bpfd_userns_ino(const char *path);

/* The outside id the namespace root gets when it would be host root. */
#define BPFD_OVERFLOW_ID 65534u

/*
 * The outside ids the namespace root maps to by default: the invoking user
 * (SUDO_UID/SUDO_GID when run through sudo, else the real ids), and never
 * host root: 0 becomes 65534 (nobody/nogroup).  @sudo_uid / @sudo_gid are
 * the values of those variables or NULL (the library reads no environment).
 */
struct bpfd_idmap bpfd_idmap_default(const char *sudo_uid,
				     const char *sudo_gid);

/*
 * Write /proc/@pid/uid_map, then "deny" to setgroups, then gid_map, each
 * in one write (one line per mapped id).  @pid must be a child the caller has
 * not reaped (its pid cannot be recycled meanwhile).  0 or -errno with @err.
 */
int bpfd_userns_write_maps(pid_t pid, const struct bpfd_idmap *map,
			   struct bpfd_error *err);

/*
 * Rootless (`unshare -r`): a process that has just unshared its user
 * namespace maps itself: "deny" to /proc/self/setgroups, then uid_map
 * "0 @uid 1" and gid_map "0 @gid 1", where @uid / @gid must be its euid /
 * egid from before the unshare (the kernel refuses anything else without
 * CAP_SETUID/CAP_SETGID over the parent namespace: -EPERM).  The process
 * must be dumpable meanwhile: a non-dumpable one's /proc/self files belong
 * to global root, and the open fails with -EACCES.  0 or -errno with @err.
 */
int bpfd_userns_write_self_maps(uid_t uid, gid_t gid, struct bpfd_error *err);

/*
 * 0 when the caller has CAP_SYS_ADMIN (effective) in the initial user
 * namespace; -EPERM with @err when it does not; another -errno (-EMFILE,
 * -ENOMEM, -ENOENT without /proc, ...) when it cannot tell.
 */
int bpfd_check_privilege(struct bpfd_error *err);

/*
 * True when the calling process is in the initial user namespace; false
 * when it is not, and also when /proc cannot be read (use
 * bpfd_check_privilege() to tell those apart).
 */
bool bpfd_in_initial_userns(void);

/*
 * True when the calling process is in a user namespace other than the
 * initial one; false when it is in the initial one, and also when /proc
 * cannot tell.  No fd needed.
 */
bool bpfd_in_child_userns(void);

/*
 * The calling process says it keeps its user and mount namespaces for
 * the rest of its life (the CLI's own process: only its forked children
 * join or make others).  From then on that process stats its user and
 * mount namespaces once each (through a pidfd of its own, or a /proc walk
 * before 6.11; an attach asked seven times); any other process, a forked
 * child among them, still asks each time.
 */
void bpfd_ns_fixed(void);

/* stat(2) of /proc/self/ns/@ns ("user" or "mnt"), as bpfd_pidfd_ns_stat()
 * gives it where the kernel can, from the once-made stat where
 * bpfd_ns_fixed() allows; 0 or -errno. */
int bpfd_self_ns_stat(const char *ns, struct stat *st);

/*
 * The same of the process @pidfd pins, through the pidfd (6.11+:
 * PIDFD_GET_USER/MNT_NAMESPACE, the access check of /proc/PID/ns/), with
 * no /proc walk: a process's first one cost ~16 us here.  0 or -errno,
 * -ENOTTY before 6.11: then the caller stats /proc/PID/ns/@ns.
 */
int bpfd_pidfd_ns_stat(int pidfd, const char *ns, struct stat *st);

#ifdef __cplusplus
}
#endif
#endif
