// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * doctor's judgement: each check and the verdict, as a pure function of
 * struct bpfd_diag_facts (so a test can inject a pre-6.9 kernel).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <linux/capability.h>

#include <bpfdelegate/diag.h>

#include "internal.h"

const char *bpfd_diag_check_name(enum bpfd_diag_check check)
{
	static const char *const names[BPFD_CHECK__MAX] = {
	    [BPFD_CHECK_KERNEL] = "kernel",
	    [BPFD_CHECK_BTF] = "kernel BTF",
	    [BPFD_CHECK_BPF_SYSCALL] = "bpf() limits",
	    [BPFD_CHECK_USERNS] = "user namespaces",
	    [BPFD_CHECK_PATH_MOUNTED] = "path mounted",
	    [BPFD_CHECK_PATH_BPFFS] = "path is bpffs",
	    [BPFD_CHECK_PATH_ROOT] = "bpffs root",
	    [BPFD_CHECK_PATH_OWNER] = "bpffs owner",
	    [BPFD_CHECK_PATH_DELEGATION] = "delegation",
	    [BPFD_CHECK_CALLER] = "caller",
	    [BPFD_CHECK_LSM] = "LSMs",
	    [BPFD_CHECK_TOKEN] = "token attempt",
	};

	return (unsigned int)check < BPFD_CHECK__MAX ? names[check] : "?";
}

const char *bpfd_diag_status_name(enum bpfd_diag_status status)
{
	static const char *const names[] = {"ok", "info", "warn", "problem",
					    "skipped"};

	return (unsigned int)status < ARRAY_SIZE(names) ? names[status] : "?";
}

const char *bpfd_verdict_name(enum bpfd_verdict verdict)
{
	static const char *const names[] = {"token-ok", "host-ready", "problem",
					    "no-kernel-support", "no-userns"};

	return (unsigned int)verdict < ARRAY_SIZE(names) ? names[verdict] : "?";
}

__attribute__((format(printf, 4, 5))) static void
set(struct bpfd_diag_report *r, enum bpfd_diag_check c,
    enum bpfd_diag_status st, const char *fmt, ...)
{
	struct bpfd_diag_item *it = &r->item[c];
	va_list ap;

	it->check = c;
	it->status = st;
	va_start(ap, fmt);
	vsnprintf(it->detail, sizeof(it->detail), fmt, ap);
	va_end(ap);
}

static void fix(struct bpfd_diag_report *r, enum bpfd_diag_check c,
		const char *text)
{
	snprintf(r->item[c].fix, sizeof(r->item[c].fix), "%s", text);
}

static void check_kernel(const struct bpfd_diag_facts *f,
			 struct bpfd_diag_report *r)
{
	int k = bpfd_diag_kernel_tokens(f);

	switch (f->token_cmd) {
	case EBADF:
		set(r, BPFD_CHECK_KERNEL, BPFD_DIAG_OK,
		    "%s: BPF_TOKEN_CREATE exists (probe: EBADF on an O_PATH "
		    "fd)",
		    f->kernel);
		return;
	case EINVAL:
		set(r, BPFD_CHECK_KERNEL, BPFD_DIAG_PROBLEM,
		    "%s: no BPF_TOKEN_CREATE (probe: EINVAL, unknown "
		    "command): BPF tokens need Linux 6.9 or newer",
		    f->kernel);
		fix(r, BPFD_CHECK_KERNEL, "upgrade to Linux 6.9 or newer");
		return;
	case ENOSYS:
		set(r, BPFD_CHECK_KERNEL, BPFD_DIAG_PROBLEM,
		    "%s: no bpf() system call (CONFIG_BPF_SYSCALL=n)",
		    f->kernel);
		fix(r, BPFD_CHECK_KERNEL,
		    "use a kernel built with CONFIG_BPF_SYSCALL");
		return;
	default:
		if (f->deleg_opt != BPFD_DELEG_OPT_NOT_TRIED) {
			set(r, BPFD_CHECK_KERNEL,
			    k == 0 ? BPFD_DIAG_PROBLEM : BPFD_DIAG_OK,
			    "%s: BPF_TOKEN_CREATE could not be probed (%s%s); "
			    "a bpf fs context of a new user namespace %s "
			    "delegate_cmds=MUSTFAIL: %s",
			    f->kernel, bpfd_errno_name(f->token_cmd, "?"),
			    bpfd_diag_unpriv_bpf_blocks(f)
				? ": kernel.unprivileged_bpf_disabled"
				: "",
			    k == 0 ? "accepted" : "refused",
			    k == 0 ? "the kernel has no delegate_* options; "
				     "BPF tokens need Linux 6.9 or newer"
				   : "the kernel knows the delegate_* options "
				     "(6.9 or newer)");
			if (k == 0)
				fix(r, BPFD_CHECK_KERNEL,
				    "upgrade to Linux 6.9 or newer");
			return;
		}
		set(r, BPFD_CHECK_KERNEL, BPFD_DIAG_WARN,
		    "%s: BPF_TOKEN_CREATE could not be probed (%s%s); by its "
		    "version the kernel %s",
		    f->kernel, bpfd_errno_name(f->token_cmd, "?"),
		    bpfd_diag_unpriv_bpf_blocks(f)
			? ": kernel.unprivileged_bpf_disabled"
			: "",
		    k == 1   ? "has it"
		    : k == 0 ? "lacks it (6.9 or newer is needed)"
			     : "is unknown");
	}
}

static void check_btf(const struct bpfd_diag_facts *f,
		      struct bpfd_diag_report *r)
{
	if (f->btf && bpfd_diag_kernel_tokens(f) == 0) {
		set(r, BPFD_CHECK_BTF, BPFD_DIAG_OK,
		    "/sys/kernel/btf/vmlinux: names resolve (this kernel has "
		    "no delegate_* options to take them)");
		return;
	}
	if (f->btf) {
		set(r, BPFD_CHECK_BTF, BPFD_DIAG_OK,
		    "/sys/kernel/btf/vmlinux: the kernel takes names in "
		    "delegate_* options");
		return;
	}
	set(r, BPFD_CHECK_BTF, BPFD_DIAG_WARN,
	    "no /sys/kernel/btf/vmlinux: the kernel takes only numbers in "
	    "delegate_* options (bpfdelegate hands it hex masks anyway)");
	fix(r, BPFD_CHECK_BTF,
	    "a kernel with CONFIG_DEBUG_INFO_BTF=y, for names in mount "
	    "options");
}

static void check_bpf_limits(const struct bpfd_diag_facts *f,
			     struct bpfd_diag_report *r)
{
	if (bpfd_diag_unpriv_bpf_blocks(f)) {
		/* the sysctl is doing its job: not a problem of tokens */
		set(r, BPFD_CHECK_BPF_SYSCALL, BPFD_DIAG_WARN,
		    "bpf() refuses every command to this process (EPERM): "
		    "kernel.unprivileged_bpf_disabled=%d and no CAP_BPF or "
		    "CAP_SYS_ADMIN; this kernel (%s, before 5.19) checks it "
		    "before the command",
		    f->unpriv_bpf_disabled, f->kernel);
		fix(r, BPFD_CHECK_BPF_SYSCALL,
		    "run doctor as root to probe the kernel itself");
	} else if (f->token_cmd == EPERM) {
		set(r, BPFD_CHECK_BPF_SYSCALL, BPFD_DIAG_PROBLEM,
		    "bpf() is refused to this process before any command "
		    "(EPERM): a seccomp filter or an LSM");
		fix(r, BPFD_CHECK_BPF_SYSCALL,
		    "allow bpf() in the seccomp profile (Docker's and "
		    "podman's default profiles block it)");
	} else if (f->unpriv_bpf_disabled < 0) {
		set(r, BPFD_CHECK_BPF_SYSCALL, BPFD_DIAG_INFO,
		    "kernel.unprivileged_bpf_disabled cannot be read");
	} else if (f->unpriv_bpf_disabled == 0) {
		set(r, BPFD_CHECK_BPF_SYSCALL, BPFD_DIAG_INFO,
		    "kernel.unprivileged_bpf_disabled=0: a few map and "
		    "program types need no capability; the rest still need "
		    "a token in a user namespace");
	} else {
		set(r, BPFD_CHECK_BPF_SYSCALL, BPFD_DIAG_OK,
		    "kernel.unprivileged_bpf_disabled=%d: bpf() needs "
		    "capabilities, which a token grants within its user "
		    "namespace",
		    f->unpriv_bpf_disabled);
	}
}

const char *bpfd_diag_userns_knob(const struct bpfd_diag_facts *f)
{
	if (f->max_user_namespaces == 0)
		return "user.max_user_namespaces is 0";
	if (f->userns_err == ENOSPC)
		return "user.max_user_namespaces is exhausted";
	/* These two only restrict unprivileged callers. */
	if (f->euid != 0 && f->apparmor_restrict_userns == 1)
		return "kernel.apparmor_restrict_unprivileged_userns is 1";
	if (f->euid != 0 && f->unpriv_userns_clone == 0)
		return "kernel.unprivileged_userns_clone is 0";
	return NULL;
}

/* Which knob most likely stops user namespaces, or what else might. */
static const char *userns_knob(const struct bpfd_diag_facts *f)
{
	const char *knob = bpfd_diag_userns_knob(f);

	return knob ? knob
		    : "a seccomp filter, an LSM, or a kernel without "
		      "CONFIG_USER_NS";
}

static void check_userns(const struct bpfd_diag_facts *f,
			 struct bpfd_diag_report *r)
{
	if (!f->init_userns) {
		set(r, BPFD_CHECK_USERNS, BPFD_DIAG_OK,
		    "this process already runs in a user namespace");
	} else if (f->userns_err > 0) {
		set(r, BPFD_CHECK_USERNS, BPFD_DIAG_PROBLEM,
		    "unshare(CLONE_NEWUSER): %s: %s", strerror(f->userns_err),
		    userns_knob(f));
		fix(r, BPFD_CHECK_USERNS,
		    "sysctl -w user.max_user_namespaces=10000, or lift the "
		    "seccomp/LSM restriction");
	} else if (f->euid == 0 && (f->unpriv_userns_clone == 0 ||
				    f->apparmor_restrict_userns == 1)) {
		set(r, BPFD_CHECK_USERNS, BPFD_DIAG_WARN,
		    "root can create user namespaces, unprivileged users "
		    "cannot (%s)",
		    f->unpriv_userns_clone == 0
			? "kernel.unprivileged_userns_clone=0"
			: "kernel.apparmor_restrict_unprivileged_userns=1");
	} else if (f->userns_err == 0) {
		set(r, BPFD_CHECK_USERNS, BPFD_DIAG_OK,
		    "user namespaces can be created (user.max_user_namespaces="
		    "%ld)",
		    f->max_user_namespaces);
	} else {
		set(r, BPFD_CHECK_USERNS, BPFD_DIAG_INFO, "not tried");
	}
}

static void check_mounted(const struct bpfd_diag_facts *f,
			  struct bpfd_diag_report *r)
{
	const char *fs = f->fstype[0] ? f->fstype : "?";

	if (f->open_err) {
		set(r, BPFD_CHECK_PATH_MOUNTED, BPFD_DIAG_PROBLEM,
		    "%s cannot be opened: %s", f->path, strerror(f->open_err));
		fix(r, BPFD_CHECK_PATH_MOUNTED,
		    f->open_err == ENOENT
			? "create the directory and mount a delegated bpffs "
			  "on it"
			: "check the path and its permissions");
	} else if (!f->mount_root && !f->is_bpffs) {
		set(r, BPFD_CHECK_PATH_MOUNTED, BPFD_DIAG_PROBLEM,
		    "nothing is mounted at %s: it is a directory of %s "
		    "(mounted at %s)",
		    f->path, fs, f->mnt_target[0] ? f->mnt_target : "?");
		fix(r, BPFD_CHECK_PATH_MOUNTED,
		    "mount a bpffs delegated to the program's user namespace "
		    "there (bpfdelegate run)");
	} else if (!f->mount_root) {
		set(r, BPFD_CHECK_PATH_MOUNTED, BPFD_DIAG_WARN,
		    "%s is not a mount point: it is inside the %s mounted at "
		    "%s",
		    f->path, fs, f->mnt_target[0] ? f->mnt_target : "?");
	} else {
		set(r, BPFD_CHECK_PATH_MOUNTED, BPFD_DIAG_OK,
		    "%s is a mount point (mount id %d, %s)", f->path, f->mnt_id,
		    fs);
	}
}

static void check_bpffs(const struct bpfd_diag_facts *f,
			struct bpfd_diag_report *r)
{
	if (f->open_err) {
		set(r, BPFD_CHECK_PATH_BPFFS, BPFD_DIAG_SKIP, "no path");
		set(r, BPFD_CHECK_PATH_ROOT, BPFD_DIAG_SKIP, "no path");
		return;
	}
	if (!f->is_bpffs && !f->mount_root) {
		set(r, BPFD_CHECK_PATH_BPFFS, BPFD_DIAG_SKIP,
		    "nothing is mounted there");
		set(r, BPFD_CHECK_PATH_ROOT, BPFD_DIAG_SKIP, "not a bpffs");
		return;
	}
	if (!f->is_bpffs) {
		set(r, BPFD_CHECK_PATH_BPFFS, BPFD_DIAG_PROBLEM,
		    "%s is on %s, not a bpffs", f->path,
		    f->fstype[0] ? f->fstype : "another filesystem");
		fix(r, BPFD_CHECK_PATH_BPFFS,
		    "mount a bpffs delegated to the program's user namespace "
		    "there");
		set(r, BPFD_CHECK_PATH_ROOT, BPFD_DIAG_SKIP, "not a bpffs");
		return;
	}
	set(r, BPFD_CHECK_PATH_BPFFS, BPFD_DIAG_OK, "a bpffs");
	if (f->is_root) {
		set(r, BPFD_CHECK_PATH_ROOT, BPFD_DIAG_OK,
		    "%s is the root of the bpffs", f->path);
		return;
	}
	set(r, BPFD_CHECK_PATH_ROOT, BPFD_DIAG_PROBLEM,
	    "%s is a directory inside the bpffs, not its root: tokens come "
	    "only from the root (%s)",
	    f->path, f->mnt_target[0] ? f->mnt_target : "the mount point");
	fix(r, BPFD_CHECK_PATH_ROOT,
	    "use the mount point of the bpffs (LIBBPF_BPF_TOKEN_PATH)");
}

static enum bpfd_diag_status owner_status(const struct bpfd_diag_facts *f)
{
	switch (f->owner.owner) {
	case BPFD_OWNER_INITIAL:
		return f->init_userns ? BPFD_DIAG_INFO : BPFD_DIAG_PROBLEM;
	case BPFD_OWNER_NOT_CALLER:
		return BPFD_DIAG_PROBLEM;
	case BPFD_OWNER_UNKNOWN:
		return BPFD_DIAG_WARN;
	default:
		return BPFD_DIAG_OK;
	}
}

static void check_owner(const struct bpfd_diag_facts *f,
			struct bpfd_diag_report *r)
{
	if (f->open_err || !f->is_bpffs || !f->is_root) {
		set(r, BPFD_CHECK_PATH_OWNER, BPFD_DIAG_SKIP,
		    "only a bpffs root has an owner to ask about");
		return;
	}
	set(r, BPFD_CHECK_PATH_OWNER, owner_status(f), "%s%s; %s",
	    bpfd_owner_text(f->owner.owner),
	    f->owner.owner == BPFD_OWNER_INITIAL
		? " (a host bpffs: no token ever comes from it)"
		: "",
	    f->owner.how);
	if (f->owner.owner == BPFD_OWNER_NOT_CALLER)
		fix(r, BPFD_CHECK_PATH_OWNER,
		    "run the program in the bpffs's own user namespace, or "
		    "give this one a bpffs delegated to it");
}

static void format_deleg(const struct bpfd_delegation *d,
			 const struct bpfd_names *names, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int k = 0; k < BPFD_NKINDS && used < len; k++) {
		char list[512];

		bpfd_format_list(names, (enum bpfd_kind)k, d->mask[k], list,
				 sizeof(list));
		used += (size_t)snprintf(
		    buf + used, len - used, "%s%s=%s", k ? " " : "",
		    bpfd_kind_name((enum bpfd_kind)k), list[0] ? list : "none");
	}
}

static void check_delegation(const struct bpfd_diag_facts *f,
			     const struct bpfd_names *names,
			     struct bpfd_diag_report *r)
{
	char list[256];

	if (f->open_err || !f->is_bpffs || !f->is_root) {
		set(r, BPFD_CHECK_PATH_DELEGATION, BPFD_DIAG_SKIP,
		    "not a bpffs root");
		return;
	}
	if (!f->deleg_known) {
		set(r, BPFD_CHECK_PATH_DELEGATION, BPFD_DIAG_WARN,
		    "the delegate_* options of mount %d cannot be read or "
		    "decoded (%s)",
		    f->mnt_id, f->deleg_err[0] ? f->deleg_err : "no reason");
		return;
	}
	format_deleg(&f->deleg, names, list, sizeof(list));
	if (bpfd_delegation_none(&f->deleg) &&
	    bpfd_diag_kernel_tokens(f) == 0) {
		set(r, BPFD_CHECK_PATH_DELEGATION, BPFD_DIAG_INFO,
		    "none: this kernel has no delegate_* options (they came "
		    "with BPF tokens in 6.9)");
	} else if (bpfd_delegation_none(&f->deleg) &&
		   f->owner.owner == BPFD_OWNER_INITIAL) {
		set(r, BPFD_CHECK_PATH_DELEGATION, BPFD_DIAG_INFO,
		    "none, as usual for a host bpffs");
	} else if (bpfd_delegation_none(&f->deleg)) {
		set(r, BPFD_CHECK_PATH_DELEGATION, BPFD_DIAG_PROBLEM,
		    "no delegate_* options: BPF_TOKEN_CREATE fails with "
		    "ENOENT");
		fix(r, BPFD_CHECK_PATH_DELEGATION,
		    bpfd_cause_info(BPFD_CAUSE_NO_DELEGATION)->fix);
	} else if (f->owner.owner == BPFD_OWNER_INITIAL) {
		set(r, BPFD_CHECK_PATH_DELEGATION, BPFD_DIAG_PROBLEM,
		    "%s, but on a bpffs of the initial user namespace, where "
		    "it has no effect",
		    list);
		fix(r, BPFD_CHECK_PATH_DELEGATION,
		    "delegate a bpffs created from the program's user "
		    "namespace instead (bpfdelegate run)");
	} else {
		set(r, BPFD_CHECK_PATH_DELEGATION, BPFD_DIAG_OK, "%s", list);
	}
}

static void check_caller(const struct bpfd_diag_facts *f,
			 struct bpfd_diag_report *r)
{
	static const struct {
		int cap;
		const char *name;
	} caps[] = {{CAP_BPF, "CAP_BPF"},
		    {CAP_PERFMON, "CAP_PERFMON"},
		    {CAP_NET_ADMIN, "CAP_NET_ADMIN"},
		    {CAP_SYS_ADMIN, "CAP_SYS_ADMIN"}};
	char have[96] = "";
	size_t used = 0;

	for (size_t i = 0; i < ARRAY_SIZE(caps); i++)
		if (f->caps & (1ULL << caps[i].cap))
			used += (size_t)snprintf(have + used,
						 sizeof(have) - used, "%s%s",
						 used ? " " : "", caps[i].name);
	set(r, BPFD_CHECK_CALLER, BPFD_DIAG_OK,
	    "uid %u in %s user namespace (user:[%llu]); effective: %s",
	    (unsigned int)f->euid, f->init_userns ? "the initial" : "a",
	    (unsigned long long)f->userns_ino, have[0] ? have : "none");
	if (f->init_userns) {
		r->item[BPFD_CHECK_CALLER].status = BPFD_DIAG_INFO;
	} else if (!(f->caps & (1ULL << CAP_BPF))) {
		r->item[BPFD_CHECK_CALLER].status = BPFD_DIAG_PROBLEM;
		fix(r, BPFD_CHECK_CALLER,
		    bpfd_cause_info(BPFD_CAUSE_NO_CAP_BPF)->fix);
	}
}

static void check_lsm(const struct bpfd_diag_facts *f,
		      struct bpfd_diag_report *r)
{
	bool selinux = strstr(f->lsms, "selinux") != NULL;
	bool bpf = strstr(f->lsms, "bpf") != NULL;

	if (!f->lsms[0]) {
		set(r, BPFD_CHECK_LSM, BPFD_DIAG_INFO,
		    "unknown (no /sys/kernel/security/lsm, no "
		    "lsm_list_modules())");
	} else if (selinux || bpf) {
		set(r, BPFD_CHECK_LSM, BPFD_DIAG_INFO,
		    "%s; %s%s%s can refuse tokens (bpf_token_* hooks)", f->lsms,
		    selinux ? "selinux" : "", selinux && bpf ? " and " : "",
		    bpf ? "bpf (BPF LSM programs)" : "");
	} else {
		set(r, BPFD_CHECK_LSM, BPFD_DIAG_OK,
		    "%s; none of them has bpf_token_* hooks", f->lsms);
	}
}

/* An ordinary host bpffs, looked at from the host: nothing is wrong. */
static bool host_ready(const struct bpfd_diag_facts *f)
{
	return f->init_userns && f->token_err == EOPNOTSUPP && f->deleg_known &&
	       bpfd_delegation_none(&f->deleg);
}

static void check_token(const struct bpfd_diag_facts *f,
			struct bpfd_diag_report *r)
{
	const struct bpfd_cause_info *ci;
	char why[512];

	r->cause = BPFD_CAUSE_NONE;
	if (f->token_err < 0) {
		set(r, BPFD_CHECK_TOKEN, BPFD_DIAG_SKIP,
		    "not tried: %s cannot be opened", f->path);
		return;
	}
	if (f->token_err == 0) {
		set(r, BPFD_CHECK_TOKEN, BPFD_DIAG_OK,
		    "a token was created from %s (and closed)", f->path);
		return;
	}
	r->cause = bpfd_diag_decide(f->token_err, f, why, sizeof(why));
	ci = bpfd_cause_info(r->cause);
	set(r, BPFD_CHECK_TOKEN,
	    host_ready(f) ? BPFD_DIAG_INFO : BPFD_DIAG_PROBLEM,
	    "BPF_TOKEN_CREATE: %s (%s): %s%s%s",
	    bpfd_errno_name(f->token_err, "?"), strerror(f->token_err),
	    r->cause ? ci->text : "no single cause applies", why[0] ? "; " : "",
	    why);
	if (r->cause)
		fix(r, BPFD_CHECK_TOKEN, ci->fix);
}

static void verdict(const struct bpfd_diag_facts *f, struct bpfd_diag_report *r)
{
	const char *what = r->cause ? bpfd_cause_info(r->cause)->text
			   : f->token_err < 0
			       ? r->item[BPFD_CHECK_PATH_MOUNTED].detail
			       : r->item[BPFD_CHECK_TOKEN].detail;

	if (bpfd_diag_kernel_tokens(f) == 0) {
		r->verdict = BPFD_VERDICT_NO_KERNEL;
		snprintf(r->verdict_text, sizeof(r->verdict_text),
			 "this kernel (%s) has no BPF token support: Linux "
			 "6.9 or newer is needed",
			 f->kernel);
		/* No mount option, path or capability gives a token on such
		 * a kernel: the upgrade is the one fix, on the kernel line. */
		for (int c = 0; c < BPFD_CHECK__MAX; c++)
			r->item[c].fix[0] = '\0';
		fix(r, BPFD_CHECK_KERNEL, "upgrade to Linux 6.9 or newer");
	} else if (f->token_err == 0) {
		r->verdict = BPFD_VERDICT_TOKEN_OK;
		snprintf(r->verdict_text, sizeof(r->verdict_text),
			 "tokens work here: a token was created from %.200s",
			 f->path);
	} else if (f->init_userns && f->userns_err > 0) {
		r->verdict = BPFD_VERDICT_NO_USERNS;
		snprintf(r->verdict_text, sizeof(r->verdict_text),
			 "user namespaces cannot be created here (%s): there "
			 "is nothing to delegate a bpffs to",
			 userns_knob(f));
	} else if (host_ready(f)) {
		r->verdict = BPFD_VERDICT_HOST_READY;
		snprintf(
		    r->verdict_text, sizeof(r->verdict_text),
		    "tokens can work on this machine: %.200s is an ordinary "
		    "bpffs of the initial user namespace, which never "
		    "gives tokens; a user namespace needs its own "
		    "delegated bpffs (bpfdelegate run)",
		    f->path);
	} else {
		r->verdict = BPFD_VERDICT_PROBLEM;
		snprintf(r->verdict_text, sizeof(r->verdict_text),
			 "no token from %.200s: %.160s", f->path, what);
	}
}

void bpfd_diag_evaluate(const struct bpfd_diag_facts *f,
			const struct bpfd_names *names,
			struct bpfd_diag_report *r)
{
	memset(r, 0, sizeof(*r));
	for (int c = 0; c < BPFD_CHECK__MAX; c++)
		r->item[c].check = (enum bpfd_diag_check)c;
	check_kernel(f, r);
	check_btf(f, r);
	check_bpf_limits(f, r);
	check_userns(f, r);
	check_mounted(f, r);
	check_bpffs(f, r);
	check_owner(f, r);
	check_delegation(f, names, r);
	check_caller(f, r);
	check_lsm(f, r);
	check_token(f, r);
	verdict(f, r);
}
