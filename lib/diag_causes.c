// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The causes of BPF_TOKEN_CREATE errors and which one applies, as pure
 * functions of struct bpfd_diag_facts.  The order is the kernel's
 * (kernel/bpf/syscall.c token_create(), kernel/bpf/token.c
 * bpf_token_create()): attr and flags, fdget, root of the fs, bpffs,
 * path_permission, owner user namespace, CAP_BPF, initial namespace,
 * delegation, then the LSM hook and allocations.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/capability.h>

#include <bpfdelegate/diag.h>

#include "internal.h"

static const struct bpfd_cause_info causes[BPFD_CAUSE__MAX] = {
    [BPFD_CAUSE_NONE] = {BPFD_CAUSE_NONE, "none", "", ""},
    [BPFD_CAUSE_KERNEL_TOO_OLD] =
	{BPFD_CAUSE_KERNEL_TOO_OLD, "kernel-too-old",
	 "the kernel is older than 6.9: it has no BPF_TOKEN_CREATE command",
	 "upgrade to Linux 6.9 or newer; until then programs run without a "
	 "token"},
    [BPFD_CAUSE_FLAGS] = {BPFD_CAUSE_FLAGS, "flags",
			  "the flags of BPF_TOKEN_CREATE are not 0 (a bug in "
			  "the caller: libbpf passes 0)",
			  "pass flags = 0"},
    [BPFD_CAUSE_NOT_ROOT] =
	{BPFD_CAUSE_NOT_ROOT, "not-root",
	 "the path is a directory inside a bpffs, not the root of the bpffs",
	 "use the bpffs's mount point itself (LIBBPF_BPF_TOKEN_PATH=<mount "
	 "point>)"},
    [BPFD_CAUSE_NOT_BPFFS] =
	{BPFD_CAUSE_NOT_BPFFS, "not-bpffs",
	 "the path is not a bpffs: nothing is mounted there, or another "
	 "filesystem (tmpfs, sysfs, ...) is",
	 "mount a bpffs delegated to the program's user namespace there "
	 "(bpfdelegate run does it)"},
    [BPFD_CAUSE_BAD_FD] = {BPFD_CAUSE_BAD_FD, "bad-fd",
			   "the fd given is not open",
			   "pass an fd opened on the bpffs root"},
    [BPFD_CAUSE_OPATH] =
	{BPFD_CAUSE_OPATH, "o-path-fd",
	 "the fd is an O_PATH fd (fsmount() returns one)",
	 "re-open it with openat(fd, \".\", O_RDONLY | O_DIRECTORY), or "
	 "use the path after move_mount()"},
    [BPFD_CAUSE_PERMISSION] =
	{BPFD_CAUSE_PERMISSION, "permission",
	 "the caller may not search the bpffs root (its mode, uid=, gid=)",
	 "mount the bpffs with uid=/gid= of the program's user, or a mode "
	 "that lets it in"},
    [BPFD_CAUSE_BPF_BLOCKED] =
	{BPFD_CAUSE_BPF_BLOCKED, "bpf-blocked",
	 "bpf() itself is refused to the process before any command: a "
	 "seccomp filter (the default Docker and podman profiles) or an LSM",
	 "allow bpf() in the container's seccomp profile"},
    [BPFD_CAUSE_WRONG_USERNS] =
	{BPFD_CAUSE_WRONG_USERNS, "wrong-userns",
	 "the caller's user namespace does not own the bpffs (it was created "
	 "from another one, e.g. the host's /sys/fs/bpf bind-mounted into a "
	 "container)",
	 "create the token in the bpffs's own user namespace; give a "
	 "container a bpffs delegated to its user namespace (bpfdelegate "
	 "run)"},
    [BPFD_CAUSE_NO_CAP_BPF] =
	{BPFD_CAUSE_NO_CAP_BPF, "no-cap-bpf",
	 "the caller lacks CAP_BPF in its user namespace (CAP_SYS_ADMIN does "
	 "not stand in)",
	 "give the process CAP_BPF (and CAP_PERFMON or CAP_NET_ADMIN for "
	 "those programs): runc's default set lacks them"},
    [BPFD_CAUSE_LSM] = {BPFD_CAUSE_LSM, "lsm",
			"an LSM refused in its bpf_token_create hook "
			"(SELinux, a BPF LSM program)",
			"check the LSM's audit log and policy"},
    [BPFD_CAUSE_INIT_USERNS] =
	{BPFD_CAUSE_INIT_USERNS, "initial-userns",
	 "the caller is in the initial user namespace, which never gets a "
	 "token (the host's /sys/fs/bpf gives this)",
	 "on the host no token is needed (CAP_BPF is); run the program in a "
	 "user namespace with its own delegated bpffs (bpfdelegate run)"},
    [BPFD_CAUSE_NO_DELEGATION] =
	{BPFD_CAUSE_NO_DELEGATION, "no-delegation",
	 "the bpffs has no delegate_* options (all four masks are 0)",
	 "mount it with delegate_cmds/maps/progs/attachs set from the "
	 "initial user namespace (bpfdelegate run, systemd PrivateBPF=)"},
    [BPFD_CAUSE_NO_BPF_SYSCALL] =
	{BPFD_CAUSE_NO_BPF_SYSCALL, "no-bpf-syscall",
	 "the kernel has no bpf() system call "
	 "(CONFIG_BPF_SYSCALL=n)",
	 "use a kernel built with CONFIG_BPF_SYSCALL"},
    [BPFD_CAUSE_RESOURCES] = {BPFD_CAUSE_RESOURCES, "resources",
			      "out of memory or file descriptors",
			      "raise RLIMIT_NOFILE or free memory"},
    [BPFD_CAUSE_UNPRIV_BPF] =
	{BPFD_CAUSE_UNPRIV_BPF, "unprivileged-bpf-disabled",
	 "kernel.unprivileged_bpf_disabled is set and the caller has no "
	 "CAP_BPF or CAP_SYS_ADMIN: kernels before 5.19 refuse it every bpf() "
	 "command, whatever the command",
	 "run it with CAP_BPF (as root); BPF tokens need Linux 6.9 or newer "
	 "anyway"},
    [BPFD_CAUSE_OPEN] =
	{BPFD_CAUSE_OPEN, "open-failed",
	 "libbpf could not open the path (missing, not a directory, or not "
	 "accessible)",
	 "mount a delegated bpffs there, or point LIBBPF_BPF_TOKEN_PATH at "
	 "one"},
};

const struct bpfd_cause_info *bpfd_cause_info(enum bpfd_cause cause)
{
	if ((unsigned int)cause >= BPFD_CAUSE__MAX)
		cause = BPFD_CAUSE_NONE;
	return &causes[cause];
}

size_t bpfd_token_causes(int err, enum bpfd_cause *out, size_t max)
{
	static const struct {
		int err;
		enum bpfd_cause c[5];
	} order[] = {
	    {EINVAL,
	     {BPFD_CAUSE_KERNEL_TOO_OLD, BPFD_CAUSE_FLAGS, BPFD_CAUSE_NOT_ROOT,
	      BPFD_CAUSE_NOT_BPFFS}},
	    {EBADF, {BPFD_CAUSE_BAD_FD, BPFD_CAUSE_OPATH}},
	    {EACCES, {BPFD_CAUSE_PERMISSION, BPFD_CAUSE_LSM}},
	    {EPERM,
	     {BPFD_CAUSE_BPF_BLOCKED, BPFD_CAUSE_UNPRIV_BPF,
	      BPFD_CAUSE_WRONG_USERNS, BPFD_CAUSE_NO_CAP_BPF, BPFD_CAUSE_LSM}},
	    {EOPNOTSUPP, {BPFD_CAUSE_INIT_USERNS}},
	    {ENOENT, {BPFD_CAUSE_NO_DELEGATION}},
	    {ENOSYS, {BPFD_CAUSE_NO_BPF_SYSCALL}},
	    {ENOMEM, {BPFD_CAUSE_RESOURCES, BPFD_CAUSE_LSM}},
	    {EMFILE, {BPFD_CAUSE_RESOURCES}},
	    {ENFILE, {BPFD_CAUSE_RESOURCES}},
	};
	size_t n = 0;

	if (err < 0)
		err = -err;
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		if (order[i].err != err)
			continue;
		for (size_t j = 0; j < ARRAY_SIZE(order[i].c) && order[i].c[j];
		     j++)
			if (n < max)
				out[n++] = order[i].c[j];
		return n;
	}
	/* Nothing else comes from the command itself: an LSM hook may. */
	if (max > 0)
		out[n++] = BPFD_CAUSE_LSM;
	return n;
}

static int version_has_tokens(const char *release)
{
	int maj, min;

	if (sscanf(release, "%d.%d", &maj, &min) != 2)
		return -1;
	return maj > 6 || (maj == 6 && min >= 9);
}

bool bpfd_diag_unpriv_bpf_blocks(const struct bpfd_diag_facts *f)
{
	const uint64_t bpf_caps = (1ULL << CAP_BPF) | (1ULL << CAP_SYS_ADMIN);
	int maj, min;

	/* bpf_capable() asks the initial user namespace */
	if (f->token_cmd != EPERM || f->unpriv_bpf_disabled <= 0 ||
	    (f->init_userns && (f->caps & bpf_caps)))
		return false;
	if (sscanf(f->kernel, "%d.%d", &maj, &min) != 2)
		return false;
	return maj < 5 || (maj == 5 && min < 19);
}

int bpfd_diag_kernel_tokens(const struct bpfd_diag_facts *f)
{
	switch (f->token_cmd) {
	case EBADF:
		return 1;
	case EINVAL:
	case ENOSYS:
		return 0;
	default:
		/* bpf() refused before the command: by what bpffs does with
		 * delegate_cmds=MUSTFAIL, else by the version */
		if (f->deleg_opt == BPFD_DELEG_OPT_KNOWN)
			return 1;
		if (f->deleg_opt == BPFD_DELEG_OPT_IGNORED)
			return 0;
		return version_has_tokens(f->kernel);
	}
}

/* What the path is, seen from here, as one clause. */
static void path_state(const struct bpfd_diag_facts *f, char *buf, size_t len)
{
	const char *fs = f->fstype[0] ? f->fstype : "another filesystem";

	if (f->open_err)
		snprintf(buf, len, "%s cannot be opened here (%s)", f->path,
			 strerror(f->open_err));
	else if (!f->is_bpffs && !f->mount_root)
		snprintf(buf, len,
			 "nothing is mounted at %s: it is a directory of %s",
			 f->path, fs);
	else if (!f->is_bpffs)
		snprintf(buf, len, "%s is a %s mount, not a bpffs", f->path,
			 fs);
	else if (!f->is_root)
		snprintf(
		    buf, len,
		    "%.255s is a directory inside the bpffs mounted at %.200s, "
		    "not its root",
		    f->path, f->mnt_target[0] ? f->mnt_target : "?");
	else
		snprintf(buf, len, "%s is the root of a bpffs", f->path);
}

static enum bpfd_cause decide_einval(const struct bpfd_diag_facts *f, char *why,
				     size_t len)
{
	char st[BPFD_DIAG_PATH_MAX + 128];

	if (bpfd_diag_kernel_tokens(f) == 0) {
		snprintf(why, len,
			 "this kernel (%s) has no BPF_TOKEN_CREATE: probing it "
			 "gave %s",
			 f->kernel, bpfd_errno_name(f->token_cmd, "?"));
		return BPFD_CAUSE_KERNEL_TOO_OLD;
	}
	path_state(f, st, sizeof(st));
	snprintf(why, len, "%s", st);
	if (f->open_err)
		return BPFD_CAUSE_NONE;
	if (!f->is_bpffs)
		return BPFD_CAUSE_NOT_BPFFS;
	if (!f->is_root)
		return BPFD_CAUSE_NOT_ROOT;
	snprintf(why, len,
		 "%s and this kernel has tokens: no cause of EINVAL applies "
		 "here; the program saw another mount (another mount "
		 "namespace) or passed non-zero flags",
		 st);
	return BPFD_CAUSE_NONE;
}

static enum bpfd_cause decide_ebadf(const struct bpfd_diag_facts *f, char *why,
				    size_t len)
{
	if (f->fd_opath) {
		snprintf(why, len, "the fd tried on %s is an O_PATH fd",
			 f->path);
		return BPFD_CAUSE_OPATH;
	}
	snprintf(why, len,
		 "%s opens fine here: the program passed an O_PATH fd (as "
		 "fsmount() returns) or one that was not open",
		 f->path);
	return BPFD_CAUSE_NONE;
}

static enum bpfd_cause decide_eacces(const struct bpfd_diag_facts *f, char *why,
				     size_t len)
{
	if (f->token_err == EACCES || f->open_err == EACCES) {
		snprintf(why, len,
			 "permission on %s is denied here too (uid %u)",
			 f->path, (unsigned int)f->euid);
		return BPFD_CAUSE_PERMISSION;
	}
	snprintf(why, len,
		 "%s is accessible here (uid %u): the program's user lacks "
		 "permission on it, or an LSM refused",
		 f->path, (unsigned int)f->euid);
	return BPFD_CAUSE_NONE;
}

/* EPERM that this process gets itself, with the facts of this process. */
static enum bpfd_cause eperm_here(const struct bpfd_diag_facts *f, char *why,
				  size_t len)
{
	bool cap_bpf = f->caps & (1ULL << CAP_BPF);

	if (f->owner.owner == BPFD_OWNER_NOT_CALLER ||
	    f->owner.owner == BPFD_OWNER_NOT_INITIAL ||
	    f->owner.owner == BPFD_OWNER_TARGET) {
		snprintf(why, len, "%s", f->owner.how);
		return BPFD_CAUSE_WRONG_USERNS;
	}
	if (!cap_bpf && f->init_userns) {
		/* CAP_BPF would only turn this into EOPNOTSUPP or EPERM */
		snprintf(
		    why, len,
		    "this process has no CAP_BPF, and it is in the initial "
		    "user namespace, which never gets a token: tokens are "
		    "for processes in a user namespace with their own "
		    "delegated bpffs (bpfdelegate run)");
		return BPFD_CAUSE_NO_CAP_BPF;
	}
	if (!cap_bpf) {
		snprintf(why, len,
			 "this process has no CAP_BPF in its user namespace; "
			 "without it, whether that namespace owns %s cannot be "
			 "told",
			 f->path);
		return BPFD_CAUSE_NO_CAP_BPF;
	}
	snprintf(why, len,
		 "CAP_BPF is held and the owner is not known to be another "
		 "namespace: %s",
		 f->owner.how);
	return BPFD_CAUSE_LSM;
}

static enum bpfd_cause decide_eperm(const struct bpfd_diag_facts *f, char *why,
				    size_t len)
{
	if (bpfd_diag_unpriv_bpf_blocks(f)) {
		snprintf(why, len,
			 "kernel.unprivileged_bpf_disabled=%d, this process "
			 "has no CAP_BPF or CAP_SYS_ADMIN and this kernel (%s) "
			 "checks that before any command (probing "
			 "BPF_TOKEN_CREATE gave EPERM)",
			 f->unpriv_bpf_disabled, f->kernel);
		return BPFD_CAUSE_UNPRIV_BPF;
	}
	if (f->token_cmd == EPERM) {
		snprintf(why, len,
			 "bpf() is refused to this process before any command "
			 "(probing BPF_TOKEN_CREATE gave EPERM)");
		return BPFD_CAUSE_BPF_BLOCKED;
	}
	if (f->token_err == EPERM)
		return eperm_here(f, why, len);
	if (f->open_err || !f->is_root) {
		char st[BPFD_DIAG_PATH_MAX + 128];

		path_state(f, st, sizeof(st));
		snprintf(why, len,
			 "%s: the program saw another mount namespace, where "
			 "it is a bpffs of a user namespace other than its own",
			 st);
		return BPFD_CAUSE_NONE;
	}
	switch (f->owner.owner) {
	case BPFD_OWNER_INITIAL:
		snprintf(why, len,
			 "%s belongs to the initial user namespace: a process "
			 "in any other user namespace gets EPERM from it (one "
			 "in the initial namespace gets EOPNOTSUPP)",
			 f->path);
		return BPFD_CAUSE_WRONG_USERNS;
	case BPFD_OWNER_CALLER:
		snprintf(why, len,
			 "here, in the owning user namespace with CAP_BPF, it "
			 "works: the program ran in another user namespace, or "
			 "without CAP_BPF");
		return BPFD_CAUSE_NONE;
	case BPFD_OWNER_NOT_INITIAL:
	case BPFD_OWNER_TARGET:
	case BPFD_OWNER_NOT_CALLER:
		snprintf(
		    why, len,
		    "%s belongs to a user namespace (%s): the program must "
		    "run in that one, with CAP_BPF",
		    f->path, f->owner.how);
		return BPFD_CAUSE_NONE;
	default:
		snprintf(why, len, "the owner of %s is not known here: %s",
			 f->path, f->owner.how);
		return BPFD_CAUSE_NONE;
	}
}

static enum bpfd_cause decide_eopnotsupp(const struct bpfd_diag_facts *f,
					 char *why, size_t len)
{
	char st[BPFD_DIAG_PATH_MAX + 128];

	path_state(f, st, sizeof(st));
	if (f->open_err || !f->is_root)
		snprintf(why, len,
			 "%s: the program saw another mount namespace, where "
			 "it is a bpffs of the initial user namespace",
			 st);
	else if (f->owner.owner == BPFD_OWNER_INITIAL)
		snprintf(why, len, "%s belongs to the initial user namespace",
			 f->path);
	else if (f->owner.owner == BPFD_OWNER_UNKNOWN)
		snprintf(why, len,
			 "the owner of %s could not be confirmed here (%s)",
			 f->path, f->owner.how);
	else
		snprintf(why, len,
			 "but %s belongs to another user namespace here: the "
			 "program saw a different bpffs",
			 f->path);
	return BPFD_CAUSE_INIT_USERNS;
}

static enum bpfd_cause decide_enoent(const struct bpfd_diag_facts *f, char *why,
				     size_t len)
{
	if (f->is_bpffs && f->deleg_known && bpfd_delegation_none(&f->deleg))
		snprintf(why, len,
			 "the bpffs at %s has no delegate_* options "
			 "(mountinfo)",
			 f->path);
	else if (f->is_bpffs && f->deleg_known)
		snprintf(why, len,
			 "but %s has delegate_* options here: the program saw "
			 "another bpffs",
			 f->path);
	else
		snprintf(why, len,
			 "the options of the bpffs the program used cannot be "
			 "read here");
	return BPFD_CAUSE_NO_DELEGATION;
}

enum bpfd_cause bpfd_diag_decide(int err, const struct bpfd_diag_facts *f,
				 char *why, size_t len)
{
	char dummy[1];

	if (!why || !len) {
		why = dummy;
		len = sizeof(dummy);
	}
	why[0] = '\0';
	if (err < 0)
		err = -err;
	switch (err) {
	case EINVAL:
		return decide_einval(f, why, len);
	case EBADF:
		return decide_ebadf(f, why, len);
	case EACCES:
		return decide_eacces(f, why, len);
	case EPERM:
		return decide_eperm(f, why, len);
	case EOPNOTSUPP:
		return decide_eopnotsupp(f, why, len);
	case ENOENT:
		return decide_enoent(f, why, len);
	case ENOSYS:
		return BPFD_CAUSE_NO_BPF_SYSCALL;
	case ENOMEM:
	case EMFILE:
	case ENFILE:
		return BPFD_CAUSE_RESOURCES;
	default:
		snprintf(why, len,
			 "BPF_TOKEN_CREATE does not return %s by itself",
			 bpfd_errno_name(err, "?"));
		return BPFD_CAUSE_LSM;
	}
}

enum bpfd_cause bpfd_diag_decide_open(int err, const struct bpfd_diag_facts *f,
				      char *why, size_t len)
{
	char dummy[1];

	if (!why || !len) {
		why = dummy;
		len = sizeof(dummy);
	}
	if (err < 0)
		err = -err;
	if (f->open_err == err)
		snprintf(why, len, "opening %s fails here too: %s", f->path,
			 strerror(err));
	else if (f->open_err)
		snprintf(why, len, "opening %s fails here with %s instead",
			 f->path, bpfd_errno_name(f->open_err, "?"));
	else
		snprintf(why, len,
			 "%s opens here: the program saw another mount "
			 "namespace, or ran as a user without access",
			 f->path);
	return BPFD_CAUSE_OPEN;
}
