// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bpfdelegate doctor, for unprivileged callers (issue 12): what the
 * file-capability helper path needs.  Each line: ok, warn or PROBLEM.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cli.h"
#include "doctor_rootless.h"
#include "policy.h"
#include "rootless.h"

const char *doctor_helper_default(void)
{
	return cli_helper_path();
}

static void line(json_object *a, const char *check, const char *status,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void line(json_object *a, const char *check, const char *status,
		 const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (!a) {
		printf("%-8s %-16s %s\n", status, check, buf);
		return;
	}
	json_object *o = json_object_new_object();
	json_object_object_add(o, "check", json_object_new_string(check));
	json_object_object_add(o, "status", json_object_new_string(status));
	json_object_object_add(o, "detail", json_object_new_string(buf));
	json_object_array_add(a, o);
}

static void check_helper(json_object *a, const char *helper)
{
	_cleanup_cap_ cap_t caps = NULL;
	_cleanup_cap_ char *text = NULL;
	cap_flag_value_t prm = CAP_CLEAR;
	struct statvfs sv;

	if (access(helper, X_OK) < 0) {
		line(a, "helper", "PROBLEM",
		     "%s: %s (as root: make install-helper)", helper,
		     strerror(errno));
		return;
	}
	caps = cap_get_file(helper);
	if (caps)
		cap_get_flag(caps, CAP_SYS_ADMIN, CAP_PERMITTED, &prm);
	text = caps ? cap_to_text(caps, NULL) : NULL;
	if (prm != CAP_SET)
		line(a, "helper-cap", "PROBLEM",
		     "%s has no file capability cap_sys_admin+p (%s): lost on "
		     "a copy, or a filesystem without extended attributes; "
		     "as root: setcap cap_sys_admin+p %s",
		     helper, text ? text : "none", helper);
	else
		line(a, "helper-cap", "ok", "%s: %s", helper, text);
	if (statvfs(helper, &sv) == 0 && (sv.f_flag & ST_NOSUID))
		line(a, "helper-nosuid", "PROBLEM",
		     "%s is on a filesystem mounted nosuid: the kernel ignores "
		     "its file capability",
		     helper);
	else
		line(a, "helper-nosuid", "ok",
		     "the filesystem of %s honours file capabilities", helper);
}

static void check_userns(json_object *a)
{
	long v =
	    bpfd_sysctl_long("/proc/sys/kernel/apparmor_restrict_unprivileged_"
			     "userns");

	if (v > 0)
		line(a, "apparmor-userns", "PROBLEM",
		     "kernel.apparmor_restrict_unprivileged_userns = %ld: "
		     "unprivileged user namespaces get no capabilities unless "
		     "an AppArmor profile allows them (as root: sysctl "
		     "kernel.apparmor_restrict_unprivileged_userns=0, or a "
		     "profile with 'userns,' for the helper)",
		     v);
	else
		line(a, "apparmor-userns", "ok", "%s",
		     v < 0
			 ? "no kernel.apparmor_restrict_unprivileged_userns"
			 : "kernel.apparmor_restrict_unprivileged_userns = 0");
	v = bpfd_sysctl_long("/proc/sys/user/max_user_namespaces");
	if (v == 0)
		line(a, "max-userns", "PROBLEM",
		     "user.max_user_namespaces = 0: no user namespace can be "
		     "created");
	else
		line(a, "max-userns", "ok", "user.max_user_namespaces = %ld",
		     v);
}

static void check_policy(json_object *a, const struct bpfd_names *names)
{
	struct bpfd_policy *pol = NULL;
	struct bpfd_subject who = {
	    .kind = BPFD_SUBJECT_USER, .uid = getuid(), .gid = getgid()};
	struct bpfd_request req = {.cmd = BPFD_POLICY_CHECK};
	struct bpfd_verdict v = {0};
	struct bpfd_error e = {0};
	gid_t groups[BPFD_CALLER_MAX_GROUPS];
	char buf[768];
	int n;

	if (bpfd_policy_load(bpfd_policy_dir(), names, &pol, &e) < 0) {
		line(a, "policy", "PROBLEM", "%s",
		     bpfd_error_format(&e, buf, sizeof(buf)));
		return;
	}
	n = getgroups(BPFD_CALLER_MAX_GROUPS, groups);
	for (int i = 0; i < n; i++)
		who.groups[who.ngroups++] = groups[i];
	bpfd_policy_decide(pol, &who, &req, &v);
	bpfd_policy_free(pol);
	if (!v.rule[0])
		line(a, "policy", "PROBLEM", "%s: %s", bpfd_policy_dir(),
		     v.reason[0] ? v.reason : "no rule applies to you");
	else
		line(a, "policy", "ok",
		     "a rule applies to you: %s ('bpfdelegate policy' shows "
		     "it)",
		     v.rule);
}

void doctor_rootless(const char *helper, const struct bpfd_names *names,
		     json_object *a)
{
	if (!a)
		printf("\nRootless (uid %u; the file-capability helper):\n",
		       (unsigned)getuid());
	check_helper(a, helper);
	check_userns(a);
	check_policy(a, names);
}
