// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * doctor's probes: the kernel, user namespaces, the caller, the LSMs and a
 * bpffs path, recorded as plain facts for lib/diag.c to judge.  Every probe
 * is read-only or undone at once: a token that gets created is closed, a
 * user namespace is made by a child that exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpfdelegate/bpffs.h>
#include <bpfdelegate/diag.h>
#include <bpfdelegate/engine.h>
#include <bpfdelegate/sysbpf.h>
#include <bpfdelegate/userns.h>

#include "compat.h"
#include "fault.h"
#include "internal.h"

/*
 * BPF_TOKEN_CREATE on an O_PATH fd: a kernel with the command fails its
 * fdget() with EBADF; one without it rejects the command with EINVAL.
 * Nothing is created either way.
 */
static int probe_token_cmd(void)
{
	_cleanup_close_ int fd = open("/", O_PATH | O_CLOEXEC);
	int r;

	if (bpfd_fault() == BPFD_FAULT_OLD_KERNEL)
		return EINVAL; /* what 5.10 and 6.1 answer */
	if (fd < 0)
		return errno;
	r = bpfd_token_create(fd);
	if (r >= 0) {
		close(r);
		return 0;
	}
	return -r;
}

/*
 * In a new user namespace (and mount namespace, for fsopen), where no
 * privilege is needed: does bpffs parse delegate_cmds?  BPFD_DELEG_OPT_*.
 */
static char child_deleg_opt(void)
{
	_cleanup_close_ int fs = BPFD_NO_FD;

	if (unshare(CLONE_NEWNS) < 0)
		return BPFD_DELEG_OPT_NOT_TRIED;
	fs = fsopen("bpf", FSOPEN_CLOEXEC);
	if (fs < 0)
		return BPFD_DELEG_OPT_NOT_TRIED;
	if (fsconfig(fs, FSCONFIG_SET_STRING, "delegate_cmds", "MUSTFAIL", 0) ==
	    0)
		return BPFD_DELEG_OPT_IGNORED;
	return errno == EINVAL ? BPFD_DELEG_OPT_KNOWN
			       : BPFD_DELEG_OPT_NOT_TRIED;
}

/*
 * unshare(CLONE_NEWUSER) in a child: 0 or its errno; *@deleg_opt what
 * child_deleg_opt() found there.
 */
static int probe_userns(int *deleg_opt)
{
	int status = 0, r, p[2];
	char c = BPFD_DELEG_OPT_NOT_TRIED;
	pid_t pid;

	*deleg_opt = BPFD_DELEG_OPT_NOT_TRIED;
	if (pipe2(p, O_CLOEXEC) < 0)
		return errno;
	pid = fork();
	if (pid < 0) {
		r = errno;
		close(p[0]);
		close(p[1]);
		return r;
	}
	if (pid == 0) {
		if (unshare(CLONE_NEWUSER) < 0)
			_exit(errno & 0xff);
		c = child_deleg_opt();
		/* the user namespace worked, whatever the pipe does */
		if (write(p[1], &c, 1) != 1)
			_exit(0);
		_exit(0);
	}
	close(p[1]);
	/* A few syscalls: a second is plenty. */
	r = bpfd_wait_child(pid, 1000, &status);
	if (r == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
	    read(p[0], &c, 1) == 1)
		*deleg_opt = c;
	close(p[0]);
	if (r < 0)
		return -r;
	return WIFEXITED(status) ? WEXITSTATUS(status) : ECHILD;
}

/* After bpfd_diag_collect_userns(), which records the euid. */
static void collect_caller(struct bpfd_diag_facts *f)
{
	f->userns_ino = bpfd_userns_ino("/proc/self/ns/user");
	f->init_userns = f->userns_ino ? f->userns_ino == BPFD_INIT_USERNS_INO
				       : bpfd_in_initial_userns();
	(void)bpfd_caps_get(CAP_EFFECTIVE, &f->caps); /* 0 when unreadable */
}

/* lsm_list_modules() (6.8+) for when securityfs is not mounted. */
static void lsms_from_syscall(char *buf, size_t len)
{
	static const char *const ids[] = {
	    "capability", "selinux", "smack",	  "tomoyo",   "apparmor",
	    "yama",	  "loadpin", "safesetid", "lockdown", "bpf",
	    "landlock",	  "ima",     "evm",	  "ipe"};
	uint64_t id[32];
	uint32_t size = sizeof(id);
	size_t used = 0;
	long n = syscall(SYS_lsm_list_modules, id, &size, 0);

	for (long i = 0; i < n && i < 32 && used < len; i++) {
		uint64_t k = id[i] - 100; /* LSM_ID_CAPABILITY is 100 */
		char num[24];

		if (k < ARRAY_SIZE(ids))
			snprintf(num, sizeof(num), "%s", ids[k]);
		else
			snprintf(num, sizeof(num), "lsm#%llu",
				 (unsigned long long)id[i]);
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 used ? "," : "", num);
	}
}

static void collect_lsms(struct bpfd_diag_facts *f)
{
	if (!bpfd_read_line("/sys/kernel/security/lsm", f->lsms,
			    sizeof(f->lsms)))
		lsms_from_syscall(f->lsms, sizeof(f->lsms));
}

/* Where the fd is: mount, filesystem, root of a bpffs or not. */
static void collect_where(int fd, const struct bpfd_names *names,
			  struct bpfd_diag_facts *f)
{
	struct bpfd_mount_brief mb;
	struct statx stx;
	struct statfs sfs;
	bool root_ino = false;

	if (statx(fd, "", AT_EMPTY_PATH, STATX_INO | STATX_MNT_ID, &stx) == 0) {
		f->mount_root = stx.stx_attributes & STATX_ATTR_MOUNT_ROOT;
		f->mnt_id =
		    (stx.stx_mask & STATX_MNT_ID) ? (int)stx.stx_mnt_id : -1;
		/* bpf_fill_super() gives the root directory inode 1 */
		root_ino = stx.stx_ino == 1;
	}
	if (fstatfs(fd, &sfs) == 0)
		f->is_bpffs = (unsigned long)sfs.f_type == BPF_FS_MAGIC;
	f->is_root = f->is_bpffs && root_ino;
	if (bpfd_mount_lookup("/proc/self/mountinfo", f->mnt_id, &mb) == 0) {
		snprintf(f->fstype, sizeof(f->fstype), "%s", mb.fstype);
		snprintf(f->mnt_target, sizeof(f->mnt_target), "%.255s",
			 mb.target);
	}
	if (f->is_bpffs) {
		struct bpfd_error e = {0};

		f->deleg_known =
		    bpfd_bpffs_read_options("/proc/self/mountinfo", f->mnt_id,
					    names, &f->deleg, NULL, 0, &e) == 0;
		if (!f->deleg_known)
			snprintf(f->deleg_err, sizeof(f->deleg_err),
				 "%.200s: %.100s",
				 e.detail[0] ? e.detail : "mountinfo",
				 strerror(e.err ? e.err : EIO));
	}
}

static void collect_path(const char *path, int fd,
			 const struct bpfd_names *names,
			 struct bpfd_diag_facts *f)
{
	_cleanup_close_ int own = BPFD_NO_FD;
	_cleanup_close_ int reopened = BPFD_NO_FD;
	int flags, tok;

	snprintf(f->path, sizeof(f->path), "%s",
		 path ? path : BPFD_DEFAULT_TARGET);
	f->token_err = -1;
	f->owner.err = -1;
	if (fd < 0) {
		/* as libbpf does: open(path, O_DIRECTORY) */
		own = open(f->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (own < 0) {
			f->open_err = errno;
			snprintf(f->owner.how, sizeof(f->owner.how),
				 "the path cannot be opened");
			return;
		}
		fd = own;
	}
	flags = fcntl(fd, F_GETFL);
	f->fd_opath = flags >= 0 && (flags & O_PATH);
	collect_where(fd, names, f);
	if (f->is_root) {
		/* the owner probe needs a real fd, as the kernel does */
		reopened =
		    f->fd_opath
			? openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
			: BPFD_NO_FD;
		bpfd_bpffs_owner(f->fd_opath ? reopened : fd, -1, &f->owner);
	} else {
		snprintf(f->owner.how, sizeof(f->owner.how),
			 "not the root of a bpffs");
	}
	tok = bpfd_token_create(fd);
	if (tok >= 0) {
		close(tok);
		f->token_err = 0;
	} else {
		f->token_err = -tok;
	}
}

void bpfd_diag_collect_userns(struct bpfd_diag_facts *f, int unshare_err)
{
	f->euid = geteuid();
	f->max_user_namespaces =
	    bpfd_sysctl_long("/proc/sys/user/max_user_namespaces");
	f->unpriv_userns_clone =
	    (int)bpfd_sysctl_long("/proc/sys/kernel/unprivileged_userns_clone");
	f->apparmor_restrict_userns = (int)bpfd_sysctl_long(
	    "/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
	f->userns_err = unshare_err;
}

void bpfd_diag_collect(const char *path, int fd, const struct bpfd_names *names,
		       struct bpfd_diag_facts *f)
{
	struct utsname u;

	memset(f, 0, sizeof(*f));
	snprintf(f->kernel, sizeof(f->kernel), "%s",
		 uname(&u) == 0 ? u.release : "unknown");
	f->token_cmd = probe_token_cmd();
	f->btf = access("/sys/kernel/btf/vmlinux", R_OK) == 0;
	f->unpriv_bpf_disabled =
	    (int)bpfd_sysctl_long("/proc/sys/kernel/unprivileged_bpf_disabled");
	bpfd_diag_collect_userns(f, probe_userns(&f->deleg_opt));
	collect_caller(f);
	collect_lsms(f);
	collect_path(path, fd, names, f);
}

int bpfd_kernel_tokens(void)
{
	struct bpfd_diag_facts f = {0};
	struct utsname u;

	snprintf(f.kernel, sizeof(f.kernel), "%s",
		 uname(&u) == 0 ? u.release : "unknown");
	f.token_cmd = probe_token_cmd();
	return bpfd_diag_kernel_tokens(&f);
}
