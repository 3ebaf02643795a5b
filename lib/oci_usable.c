// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Could a container ever use the token its delegated bpffs offers?  Read
 * from its config.json alone: the capability sets and the seccomp profile
 * the runtime will apply.  runc shows a createRuntime hook's stderr only
 * when the hook fails, so a container that can never use the token must
 * be a failure the user sees, not a warning nobody reads.
 *
 * Seen with podman 4.3 on Debian 12: its default seccomp.json allows bpf()
 * only with CAP_SYS_ADMIN (includes.caps), and podman resolves that
 * against the container's bounding set before writing config.json: a
 * container without CAP_SYS_ADMIN gets {"names": ["bpf", ...], "action":
 * "SCMP_ACT_ERRNO", "errnoRet": 1}, so BPF_TOKEN_CREATE fails with EPERM
 * inside even with --cap-add BPF.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>

#include <bpfdelegate/delegation.h>
#include <bpfdelegate/loadmsg.h>

#include "compat.h"
#include "oci.h"

static enum bpfd_oci_sc_verdict action_verdict(const char *a)
{
	if (!strcmp(a, "SCMP_ACT_ALLOW") || !strcmp(a, "SCMP_ACT_LOG"))
		return BPFD_OCI_SC_ALLOW;
	if (!strcmp(a, "SCMP_ACT_ERRNO") || !strcmp(a, "SCMP_ACT_KILL") ||
	    !strcmp(a, "SCMP_ACT_KILL_PROCESS") ||
	    !strcmp(a, "SCMP_ACT_KILL_THREAD") || !strcmp(a, "SCMP_ACT_TRAP"))
		return BPFD_OCI_SC_DENY;
	return BPFD_OCI_SC_UNKNOWN;
}

enum match { MATCH_NO, MATCH_YES, MATCH_MAYBE };

/* One condition on bpf()'s command, as libseccomp compares (64 bits). */
static enum match arg_match(const struct bpfd_oci_sc_arg *a, uint64_t cmd)
{
	if (a->index != 0)
		return MATCH_MAYBE; /* the attr pointer or its size */
	if (!strcmp(a->op, "SCMP_CMP_EQ"))
		return cmd == a->value ? MATCH_YES : MATCH_NO;
	if (!strcmp(a->op, "SCMP_CMP_NE"))
		return cmd != a->value ? MATCH_YES : MATCH_NO;
	if (!strcmp(a->op, "SCMP_CMP_LT"))
		return cmd < a->value ? MATCH_YES : MATCH_NO;
	if (!strcmp(a->op, "SCMP_CMP_LE"))
		return cmd <= a->value ? MATCH_YES : MATCH_NO;
	if (!strcmp(a->op, "SCMP_CMP_GT"))
		return cmd > a->value ? MATCH_YES : MATCH_NO;
	if (!strcmp(a->op, "SCMP_CMP_GE"))
		return cmd >= a->value ? MATCH_YES : MATCH_NO;
	/* runc: MASKED_EQ(value = mask, valueTwo = datum) */
	if (!strcmp(a->op, "SCMP_CMP_MASKED_EQ"))
		return (cmd & a->value) == a->value2 ? MATCH_YES : MATCH_NO;
	return MATCH_MAYBE;
}

static enum match rule_match(const struct bpfd_oci_sc_rule *r, uint64_t cmd,
			     uint64_t bounding)
{
	enum match m = MATCH_YES;

	if (r->unknown_cap)
		return MATCH_MAYBE;
	if ((r->includes_caps & bounding) != r->includes_caps ||
	    (r->excludes_caps & bounding))
		return MATCH_NO;
	for (size_t i = 0; i < r->nargs; i++) {
		enum match a = arg_match(&r->args[i], cmd);

		if (a == MATCH_NO)
			return MATCH_NO; /* conditions are ANDed */
		if (a == MATCH_MAYBE)
			m = MATCH_MAYBE;
	}
	return m;
}

static const char *errno_text(int e)
{
	static __thread char buf[48];

	if (e < 0)
		return "";
	snprintf(buf, sizeof(buf), ", errno %d %s", e,
		 e ? strerrorname_np(e) ? strerrorname_np(e) : "" : "");
	return buf;
}

enum bpfd_oci_sc_verdict bpfd_oci_seccomp_bpf(const struct bpfd_oci_seccomp *sc,
					      unsigned int cmd,
					      uint64_t bounding, char *why,
					      size_t len)
{
	const struct bpfd_oci_sc_rule *deny = NULL;
	bool sure = false, maybe_allow = false, unknown = false;

	snprintf(why, len, "no seccomp profile");
	if (!sc->present)
		return BPFD_OCI_SC_ALLOW;
	if (sc->unreadable || sc->too_many) {
		snprintf(why, len, "the seccomp profile could not be read");
		return BPFD_OCI_SC_UNKNOWN;
	}
	for (size_t i = 0; i < sc->nrules; i++) {
		const struct bpfd_oci_sc_rule *r = &sc->rule[i];
		enum match m = rule_match(r, cmd, bounding);
		enum bpfd_oci_sc_verdict v = action_verdict(r->action);

		if (m == MATCH_NO)
			continue;
		sure |= m == MATCH_YES;
		if (v == BPFD_OCI_SC_ALLOW) {
			snprintf(why, len,
				 "linux.seccomp.syscalls[%zu] (%s) allows it",
				 r->index, r->action);
			maybe_allow = true;
		} else if (v == BPFD_OCI_SC_UNKNOWN) {
			unknown = true;
		} else if (!deny) {
			deny = r;
		}
	}
	if (maybe_allow)
		return BPFD_OCI_SC_ALLOW;
	/* No rule surely applies: the default action may decide. */
	if (!sure) {
		enum bpfd_oci_sc_verdict v = action_verdict(sc->default_action);

		if (v == BPFD_OCI_SC_ALLOW) {
			snprintf(why, len, "the default action %s allows it",
				 sc->default_action);
			return v;
		}
		unknown |= v == BPFD_OCI_SC_UNKNOWN;
		if (!deny && !unknown) {
			snprintf(why, len,
				 "no linux.seccomp rule allows bpf() and the "
				 "default action is %s%s",
				 sc->default_action,
				 errno_text(sc->default_errno));
			return BPFD_OCI_SC_DENY;
		}
	}
	if (unknown) {
		snprintf(why, len,
			 "a tracer or supervisor decides (SCMP_ACT_TRACE, "
			 "SCMP_ACT_NOTIFY or an unknown action)");
		return BPFD_OCI_SC_UNKNOWN;
	}
	snprintf(why, len, "linux.seccomp.syscalls[%zu] makes bpf() %s%s",
		 deny->index, deny->action,
		 errno_text(deny->errno_ret >= 0 ? deny->errno_ret
			    : !strcmp(deny->action, "SCMP_ACT_ERRNO") ? EPERM
								      : -1));
	return BPFD_OCI_SC_DENY;
}

/*
 * The set of @cfg that lacks @cap, among bounding and effective, or -1.
 * Without process.capabilities runc changes no capability: the process
 * keeps every one its user namespace gives, so none is lacking.
 */
static int set_lacking(const struct bpfd_oci_config *cfg, int cap)
{
	static const enum bpfd_oci_cap_set sets[] = {BPFD_OCI_BOUNDING,
						     BPFD_OCI_EFFECTIVE};

	if (!cfg->caps_known)
		return -1;
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
		if (!((cfg->caps[sets[i]] >> cap) & 1))
			return (int)sets[i];
	return -1;
}

static const char *cap_name(int cap)
{
	return cap == CAP_BPF	    ? "CAP_BPF"
	       : cap == CAP_PERFMON ? "CAP_PERFMON"
				    : "CAP_NET_ADMIN";
}

/* "kprobe,tracepoint" or "2 program types" without @names. */
static void progs_text(const struct bpfd_names *names, uint64_t mask, char *buf,
		       size_t len)
{
	if (!names || bpfd_format_list(names, BPFD_PROGS, mask, buf, len) < 0)
		snprintf(buf, len, "%d types", __builtin_popcountll(mask));
}

int bpfd_oci_usable(const struct bpfd_oci_config *cfg,
		    const struct bpfd_delegation *d,
		    const struct bpfd_names *names, char *why, size_t len)
{
	static const int prog_caps[] = {CAP_PERFMON, CAP_NET_ADMIN};
	uint64_t progs = d->mask[BPFD_PROGS], usable = progs;
	char sc_why[200], list[256], lacking[64] = "";
	int set = set_lacking(cfg, CAP_BPF);

	why[0] = '\0';
	/* BPF_TOKEN_CREATE: CAP_BPF in the bpffs's user namespace. */
	if (set >= 0) {
		snprintf(why, len, "CAP_BPF is not in process.capabilities.%s",
			 bpfd_oci_cap_set_name(set));
		return 1;
	}
	if (bpfd_oci_seccomp_bpf(&cfg->seccomp, BPFD_BPF_TOKEN_CREATE,
				 cfg->caps_known ? cfg->caps[BPFD_OCI_BOUNDING]
						 : ~0ULL,
				 sc_why, sizeof(sc_why)) == BPFD_OCI_SC_DENY) {
		snprintf(why, len,
			 "its seccomp profile denies bpf(BPF_TOKEN_CREATE): "
			 "%s",
			 sc_why);
		return 1;
	}
	/* Loading program types that need CAP_PERFMON or CAP_NET_ADMIN
	 * besides CAP_BPF (is_perfmon_prog_type, is_net_admin_prog_type). */
	if (!(d->mask[BPFD_CMDS] & (1ULL << BPF_PROG_LOAD)) || !progs)
		return 0;
	for (size_t i = 0; i < sizeof(prog_caps) / sizeof(prog_caps[0]); i++) {
		int cap = prog_caps[i];

		if (set_lacking(cfg, cap) < 0 ||
		    !(progs & bpfd_progs_needing_cap(cap)))
			continue;
		usable &= ~bpfd_progs_needing_cap(cap);
		snprintf(lacking + strlen(lacking),
			 sizeof(lacking) - strlen(lacking), "%s%s",
			 lacking[0] ? " and " : "", cap_name(cap));
	}
	if (usable == progs)
		return 0;
	progs_text(names, progs & ~usable, list, sizeof(list));
	snprintf(why, len,
		 "without %s in process.capabilities (bounding and "
		 "effective) it can never load %s (%s)",
		 lacking,
		 usable ? "some of its program types"
			: "any of its program types",
		 list);
	return usable ? 2 : 1;
}
