/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The bpffs side: the privileged operation (the only code that ever runs
 * with CAP_SYS_ADMIN of the initial user namespace on behalf of a user
 * namespace) and reading the delegation back from mountinfo.
 */
#ifndef BPFDELEGATE_BPFFS_H
#define BPFDELEGATE_BPFFS_H

#include <bpfdelegate/delegation.h>
#include <bpfdelegate/error.h>
#include <bpfdelegate/userns.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The privileged operation.  @fs_fd is an fs context fd received from a
 * less privileged peer (fsopen("bpf") in its user namespace).  Re-checks
 * that it is a bpf fs context, sets delegate_cmds/maps/progs/attachs to
 * one hex mask each (an option whose mask is 0 is not set), runs
 * FSCONFIG_CMD_CREATE, and returns a detached mount (fsmount, nosuid,
 * nodev, noexec) as an O_PATH fd owned by the caller, after checking that
 * it is a bpffs.
 * Errors (-errno, with @err): -EINVAL (BPFD_STEP_FSTYPE: not a bpf fs
 * context), -EPERM (no CAP_SYS_ADMIN in the initial user namespace),
 * -EOPNOTSUPP when the kernel cannot delegate (before 6.9): at
 * BPFD_STEP_CREATE when it refused to create a bpffs for a user namespace
 * (it says EPERM, and "Mounting from non-initial user namespace is not
 * allowed" in the context's log; the detail quotes both), at
 * BPFD_STEP_NOT_KEPT when it created one but does not know the delegate_*
 * options (it accepted delegate_cmds=MUSTFAIL); or whatever
 * fsconfig/fsmount return (the context's log line in the detail).
 */
int bpfd_bpffs_delegate(int fs_fd, const struct bpfd_delegation *d,
			struct bpfd_error *err);

/*
 * bpfd_bpffs_delegate(), and when @owner is not NULL also set the bpffs's
 * uid= and gid= options to @owner->user_uid / @owner->user_gid (outside
 * ids, which must map into the context's user namespace), so that a
 * non-root user of the namespace owns the mount.
 */
int bpfd_bpffs_delegate_as(int fs_fd, const struct bpfd_delegation *d,
			   const struct bpfd_idmap *owner,
			   struct bpfd_error *err);

/*
 * Read the delegate_* options of mount @mnt_id from @mountinfo (e.g.
 * "/proc/self/mountinfo"), decode them with @names into @out.  @raw (may
 * be NULL) receives the mount's fs options string.
 * -ENOENT when the mount is not listed, -EINVAL when an option value
 * cannot be decoded.
 */
int bpfd_bpffs_read_options(const char *mountinfo, int mnt_id,
			    const struct bpfd_names *names,
			    struct bpfd_delegation *out, char *raw,
			    size_t rawlen, struct bpfd_error *err);

/* The same, from an open mountinfo file (read from its start). */
int bpfd_bpffs_read_options_fd(int fd, int mnt_id,
			       const struct bpfd_names *names,
			       struct bpfd_delegation *out, char *raw,
			       size_t rawlen, struct bpfd_error *err);

/* The mount id of the mount @fd is on (statx STATX_MNT_ID), or -errno. */
int bpfd_mount_id(int fd);

#ifdef __cplusplus
}
#endif
#endif
