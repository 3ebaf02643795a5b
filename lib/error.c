// SPDX-License-Identifier: LGPL-2.1-or-later
/* Error records, the hint table and the log callback. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "compat.h"
#include "internal.h"

static const char *const step_names[BPFD_STEP__MAX] = {
    [BPFD_STEP_NONE] = "",
    [BPFD_STEP_ARGS] = "arguments",
    [BPFD_STEP_PRIVILEGE] = "privilege check",
    [BPFD_STEP_SOCKETPAIR] = "socketpair",
    [BPFD_STEP_FORK] = "fork",
    [BPFD_STEP_UNSHARE] = "unshare user+mount namespace",
    [BPFD_STEP_UID_MAP] = "write uid_map",
    [BPFD_STEP_SETGROUPS] = "write setgroups",
    [BPFD_STEP_GID_MAP] = "write gid_map",
    [BPFD_STEP_SETID] = "become namespace root",
    [BPFD_STEP_MOUNT_PRIVATE] = "make mounts private",
    [BPFD_STEP_FSOPEN] = "fsopen bpf",
    [BPFD_STEP_SEND] = "send to peer",
    [BPFD_STEP_RECV] = "receive from peer",
    [BPFD_STEP_PEER] = "peer",
    [BPFD_STEP_FSTYPE] = "check fs context",
    [BPFD_STEP_FSCONFIG] = "fsconfig",
    [BPFD_STEP_CREATE] = "fsconfig create",
    [BPFD_STEP_FSMOUNT] = "fsmount",
    [BPFD_STEP_MOVE_MOUNT] = "move_mount",
    [BPFD_STEP_OPEN_ROOT] = "open bpffs root",
    [BPFD_STEP_MOUNTINFO] = "read mountinfo",
    [BPFD_STEP_NOT_KEPT] = "verify delegation",
    [BPFD_STEP_TOKEN_CREATE] = "token create",
    [BPFD_STEP_TOKEN_INFO] = "token info",
    [BPFD_STEP_PROBE] = "probe",
    [BPFD_STEP_BTF] = "read kernel BTF",
    [BPFD_STEP_PARSE] = "parse",
    [BPFD_STEP_WAIT] = "wait for child",
    [BPFD_STEP_USER] = "switch user",
    [BPFD_STEP_EXEC] = "execute",
    [BPFD_STEP_JOIN] = "join namespaces",
    [BPFD_STEP_TARGET] = "resolve target",
    [BPFD_STEP_UNDO] = "undo mount",
    [BPFD_STEP_NETNS] = "new network namespace",
    [BPFD_STEP_POLICY] = "policy",
    [BPFD_STEP_SERVICE] = "service",
};

const char *bpfd_step_name(enum bpfd_step step)
{
	if ((unsigned)step >= BPFD_STEP__MAX || !step_names[step])
		return "unknown step";
	return step_names[step];
}

struct hint {
	enum bpfd_step step; /* BPFD_STEP_NONE matches any step */
	int err;
	const char *text;
};

/*
 * One line per (step, errno) the kernel can return, in the order the kernel
 * checks; the ERRORS section of bpfdelegate(1) and `bpfdelegate explain`
 * (lib/diag_causes.c) give the longer story.
 */
static const struct hint hints[] = {
    {BPFD_STEP_PRIVILEGE, EPERM,
     "needs CAP_SYS_ADMIN in the initial user namespace: run as root"},
    {BPFD_STEP_UNSHARE, EPERM,
     "user namespaces are restricted: "
     "kernel.apparmor_restrict_unprivileged_userns, "
     "a seccomp filter or an LSM"},
    {BPFD_STEP_UNSHARE, ENOSPC,
     "user.max_user_namespaces is exhausted or 0 (sysctl "
     "user.max_user_namespaces)"},
    {BPFD_STEP_UNSHARE, EUSERS,
     "user namespace nesting limit reached (32 levels)"},
    {BPFD_STEP_UNSHARE, EINVAL,
     "kernel built without CONFIG_USER_NS, or the process is threaded"},
    {BPFD_STEP_NETNS, EPERM,
     "network namespaces are refused: a seccomp filter or an LSM"},
    {BPFD_STEP_NETNS, ENOSPC,
     "user.max_net_namespaces is exhausted or 0 (sysctl "
     "user.max_net_namespaces)"},
    {BPFD_STEP_NETNS, EINVAL, "kernel built without CONFIG_NET_NS"},
    {BPFD_STEP_UID_MAP, EPERM,
     "the writer lacks CAP_SETUID over the parent user namespace"},
    {BPFD_STEP_UID_MAP, EINVAL, "the id range is invalid or overlaps"},
    {BPFD_STEP_GID_MAP, EPERM,
     "the writer lacks CAP_SETGID over the parent user namespace"},
    {BPFD_STEP_GID_MAP, EINVAL, "the id range is invalid or overlaps"},
    {BPFD_STEP_FSOPEN, ENODEV,
     "kernel built without bpffs (CONFIG_BPF_SYSCALL)"},
    {BPFD_STEP_FSOPEN, EPERM,
     "no CAP_SYS_ADMIN over the mount namespace: the child must own a mount "
     "namespace"},
    {BPFD_STEP_FSOPEN, ENOSYS, "kernel older than 5.2 (no fsopen)"},
    {BPFD_STEP_FSCONFIG, EPERM,
     "needs CAP_SYS_ADMIN in the initial user namespace"},
    {BPFD_STEP_FSCONFIG, EINVAL, "the kernel rejected the value"},
    {BPFD_STEP_CREATE, EPERM,
     "needs CAP_SYS_ADMIN in the initial user namespace"},
    {BPFD_STEP_CREATE, EOPNOTSUPP,
     "before Linux 6.9 no bpffs can be created for a user namespace and "
     "there are no delegate_* options: BPF tokens need 6.9 or newer"},
    {BPFD_STEP_FSTYPE, EINVAL,
     "the peer sent something that is not a bpf fs context"},
    {BPFD_STEP_NOT_KEPT, EOPNOTSUPP,
     "the kernel ignores the delegate_* options: BPF tokens need Linux 6.9 or "
     "newer"},
    {BPFD_STEP_TOKEN_CREATE, EINVAL,
     "kernel older than 6.9, or the fd is not the root of a bpffs"},
    {BPFD_STEP_TOKEN_CREATE, EBADF, "not an fd, or an O_PATH fd"},
    {BPFD_STEP_TOKEN_CREATE, EACCES, "no search permission on the bpffs root"},
    {BPFD_STEP_TOKEN_CREATE, EPERM,
     "the caller's user namespace does not own the bpffs, no CAP_BPF there, or "
     "an LSM denied it"},
    {BPFD_STEP_TOKEN_CREATE, EOPNOTSUPP,
     "the bpffs belongs to the initial user namespace: tokens are only for "
     "user namespaces"},
    {BPFD_STEP_TOKEN_CREATE, ENOENT, "the bpffs has no delegate_* options set"},
    {BPFD_STEP_TOKEN_CREATE, ENOSYS, "kernel built without CONFIG_BPF_SYSCALL"},
    {BPFD_STEP_PEER, ETIMEDOUT, "the peer did not answer in time (--timeout)"},
    {BPFD_STEP_PEER, EPIPE, "the peer died"},
    {BPFD_STEP_PEER, ECONNRESET, "the peer died"},
    {BPFD_STEP_RECV, ETIMEDOUT, "the peer did not answer in time (--timeout)"},
    {BPFD_STEP_RECV, EPIPE, "the peer died"},
    {BPFD_STEP_EXEC, ENOENT, "command not found"},
    {BPFD_STEP_JOIN, ESRCH, "the process has exited, or the pid is wrong"},
    {BPFD_STEP_JOIN, EPERM, "not allowed to join that process's namespaces"},
    {BPFD_STEP_TARGET, ENOTDIR, "the target is not a directory"},
    {BPFD_STEP_TARGET, ENOENT, "a parent directory of the target is missing"},
    {BPFD_STEP_TARGET, EXDEV, "the path tried to leave the root"},
    {BPFD_STEP_TARGET, EBUSY,
     "left by an earlier attach or oci-hook, one killed by SIGKILL, or "
     "another tool: unmount it in the process's mount namespace, or give "
     "attach --replace"},
    {BPFD_STEP_WAIT, EINTR, "interrupted by a signal"},
    {BPFD_STEP_EXEC, EACCES,
     "permission denied: not executable by the namespace user"},
    {BPFD_STEP_EXEC, ENOEXEC, "not an executable format"},
    {BPFD_STEP_USER, EINVAL, "the id is not mapped in the user namespace"},
    {BPFD_STEP_BTF, ENOENT,
     "no /sys/kernel/btf/vmlinux (CONFIG_DEBUG_INFO_BTF)"},
    /* The tool's own resources, whatever the step (see resource_name). */
    {BPFD_STEP_NONE, EMFILE,
     "bpfdelegate's own limit: raise RLIMIT_NOFILE, e.g. ulimit -n"},
    {BPFD_STEP_NONE, ENFILE,
     "the system-wide file table is full (sysctl fs.file-max)"},
};

const char *bpfd_error_hint(enum bpfd_step step, int err)
{
	if (err < 0)
		err = -err;
	for (size_t i = 0; i < ARRAY_SIZE(hints); i++)
		if ((hints[i].step == step ||
		     hints[i].step == BPFD_STEP_NONE) &&
		    hints[i].err == err)
			return hints[i].text;
	return NULL;
}

int bpfd_error_setv(struct bpfd_error *e, enum bpfd_step step, int err,
		    const char *fmt, va_list ap)
{
	/* A failure recorded without an errno (errno was 0, or a -errno
	 * that was never set) must never read as success: 0 is success
	 * everywhere, in returns and in the engine's report. */
	bool no_errno = err == 0;

	if (err < 0)
		err = -err;
	if (no_errno)
		err = BPFD_ERR_NO_ERRNO;
	if (e) {
		e->step = step;
		e->err = err;
		e->detail[0] = '\0';
		if (fmt)
			vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
		e->hint =
		    no_errno ? BPFD_HINT_NO_ERRNO : bpfd_error_hint(step, err);
		e->refused = false;
	}
	return -err;
}

int bpfd_error_set(struct bpfd_error *e, enum bpfd_step step, int err,
		   const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = bpfd_error_setv(e, step, err, fmt, ap);
	va_end(ap);
	return r;
}

/*
 * What runs out when a step fails with @err, or NULL.  These are the
 * tool's own resources, never an answer about privilege or delegation:
 * they are named first so that no caller mistakes them for one.
 */
static const char *resource_name(int err)
{
	switch (err) {
	case EMFILE:
		return "out of file descriptors (EMFILE)";
	case ENFILE:
		return "out of file descriptors system-wide (ENFILE)";
	case ENOMEM:
		return "out of memory (ENOMEM)";
	default:
		return NULL;
	}
}

char *bpfd_error_format(const struct bpfd_error *e, char *buf, size_t len)
{
	const char *res = e->refused ? NULL : resource_name(e->err);
	int n;

	if (!len)
		return buf;
	if (res) {
		n = snprintf(buf, len, "%s during %s%s%s", res,
			     bpfd_step_name(e->step), e->detail[0] ? " " : "",
			     e->detail);
		if (e->hint && n >= 0 && (size_t)n < len)
			snprintf(buf + n, len - n, " (%s)", e->hint);
		return buf;
	}
	n = snprintf(buf, len, "%s%s%s", bpfd_step_name(e->step),
		     !e->detail[0] ? ""
		     : e->refused  ? ": "
				   : " ",
		     e->detail);
	if (n < 0 || (size_t)n >= len)
		return buf;
	if (e->err && !e->refused)
		n += snprintf(buf + n, len - n, ": %s", strerror(e->err));
	if (e->hint && (size_t)n < len)
		snprintf(buf + n, len - n, " (%s)", e->hint);
	return buf;
}

/*
 * The log callback is the one process-wide setting, like libbpf's
 * libbpf_set_print(); it is set once by the caller before use.
 */
static bpfd_print_fn print_fn;

bpfd_print_fn bpfd_set_print(bpfd_print_fn fn)
{
	bpfd_print_fn old = print_fn;
	print_fn = fn;
	return old;
}

void bpfd_log(enum bpfd_log_level level, const char *fmt, ...)
{
	va_list ap;

	if (!print_fn)
		return;
	va_start(ap, fmt);
	print_fn(level, fmt, ap);
	va_end(ap);
}

const char *bpfd_errno_name(int err, const char *unknown)
{
	const char *n;

	if (err <= 0)
		return unknown;
	if (err == BPFD_ENOTSUPP)
		return "ENOTSUPP";
	n = strerrorname_np(err);
	return n ? n : unknown;
}
