// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Could a container ever use its token (lib/oci_usable.c), from config.json
 * as lib/oci.c reads it: capability sets, and linux.seccomp's rules for
 * bpf() as podman 4.3 writes them on Debian 12 (its seccomp.json resolved
 * against the container's bounding set).
 */
#include <errno.h>
#include <linux/bpf.h>
#include <linux/capability.h>
#include <stdio.h>

#include <bpfdelegate/delegation.h>

#include "oci.h"
#include "testutil.h"

#define ALL_CAPS "[\"CAP_CHOWN\",\"CAP_BPF\",\"CAP_PERFMON\",\"CAP_NET_ADMIN\"]"
#define CAPS(list)                                                             \
	"\"capabilities\":{\"bounding\":" list ",\"effective\":" list          \
	",\"permitted\":" list "}"

/* podman 4.3's config.json for a container without CAP_SYS_ADMIN (the
 * rule as Debian's seccomp.json gives it, after podman resolved it). */
#define PODMAN_SECCOMP                                                         \
	"\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\","                   \
	"\"defaultErrnoRet\":38,\"architectures\":[\"SCMP_ARCH_X86_64\"],"     \
	"\"syscalls\":[{\"names\":[\"read\",\"write\"],\"action\":"            \
	"\"SCMP_ACT_ALLOW\"},{\"names\":[\"bpf\",\"fanotify_init\","           \
	"\"setns\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1}]}"

static struct bpfd_oci_config cfg;

static void parse(const char *text)
{
	struct bpfd_error e = {0};

	bpfd_oci_config_free(&cfg);
	assert_int_equal(bpfd_oci_parse_config(text, strlen(text), &cfg, &e),
			 0);
}

/* A delegation: map_create + prog_load, @progs. */
static struct bpfd_delegation deleg(uint64_t progs)
{
	struct bpfd_delegation d = {0};

	d.mask[BPFD_CMDS] = 1ULL << BPF_MAP_CREATE;
	if (progs)
		d.mask[BPFD_CMDS] |= 1ULL << BPF_PROG_LOAD;
	d.mask[BPFD_MAPS] = 1ULL << BPF_MAP_TYPE_ARRAY;
	d.mask[BPFD_PROGS] = progs;
	return d;
}

/* bpfd_oci_usable() on @text is @want, and @why holds @word. */
static void usable(const char *text, uint64_t progs, int want, const char *word)
{
	struct bpfd_delegation d = deleg(progs);
	char why[512];
	int r;

	parse(text);
	r = bpfd_oci_usable(&cfg, &d, NULL, why, sizeof(why));
	print_message("# %d: %s\n", r, why);
	assert_int_equal(r, want);
	if (word)
		assert_non_null(strstr(why, word));
}

static void test_caps_parsed(void **unused)
{
	(void)unused;
	parse("{\"root\":{\"path\":\"r\"},\"process\":{\"user\":{\"uid\":"
	      "1000},\"capabilities\":{\"bounding\":[\"CAP_BPF\","
	      "\"CAP_NOT_A_CAP\",5],\"ambient\":[\"CAP_PERFMON\"]}}}");
	assert_true(cfg.caps_known);
	assert_int_equal(cfg.uid, 1000);
	assert_true(cfg.caps[BPFD_OCI_BOUNDING] == 1ULL << CAP_BPF);
	assert_true(cfg.caps[BPFD_OCI_AMBIENT] == 1ULL << CAP_PERFMON);
	assert_true(cfg.caps[BPFD_OCI_EFFECTIVE] == 0);
	assert_false(cfg.has_cap_bpf);
	assert_false(cfg.seccomp.present);
	assert_string_equal(bpfd_oci_cap_set_name(BPFD_OCI_EFFECTIVE),
			    "effective");
	assert_null(bpfd_oci_cap_set_name(BPFD_OCI_NCAPSETS));
}

static void test_caps_decide(void **unused)
{
	(void)unused;
	/* everything there, no seccomp profile: usable */
	usable("{\"root\":{\"path\":\"r\"},\"process\":{" CAPS(ALL_CAPS) "}}",
	       1ULL << BPF_PROG_TYPE_KPROBE, 0, NULL);
	/* no process.capabilities: runc changes none, nothing is lacking */
	usable("{\"root\":{\"path\":\"r\"}}", 1ULL << BPF_PROG_TYPE_KPROBE, 0,
	       NULL);
	/* CAP_BPF missing from bounding, or from effective only */
	usable("{\"root\":{\"path\":\"r\"},\"process\":{"
	       "\"capabilities\":{\"bounding\":[\"CAP_PERFMON\"],"
	       "\"effective\":[\"CAP_BPF\"]}}}",
	       0, 1, "CAP_BPF is not in process.capabilities.bounding");
	usable("{\"root\":{\"path\":\"r\"},\"process\":{"
	       "\"capabilities\":{\"bounding\":[\"CAP_BPF\"],"
	       "\"effective\":[]}}}",
	       0, 1, "CAP_BPF is not in process.capabilities.effective");
	/* tracing programs only, no CAP_PERFMON: never */
	usable("{\"root\":{\"path\":\"r\"},\"process\":{" CAPS(
		   "[\"CAP_BPF\",\"CAP_NET_ADMIN\"]") "}}",
	       1ULL << BPF_PROG_TYPE_KPROBE | 1ULL << BPF_PROG_TYPE_TRACEPOINT,
	       1, "without CAP_PERFMON");
	/* networking programs only, no CAP_NET_ADMIN: never */
	usable("{\"root\":{\"path\":\"r\"},\"process\":{" CAPS(
		   "[\"CAP_BPF\",\"CAP_PERFMON\"]") "}}",
	       1ULL << BPF_PROG_TYPE_XDP, 1, "without CAP_NET_ADMIN");
	/* both missing, both kinds asked */
	usable("{\"root\":{\"path\":\"r\"},\"process\":{" CAPS(
		   "[\"CAP_BPF\"]") "}}",
	       1ULL << BPF_PROG_TYPE_XDP | 1ULL << BPF_PROG_TYPE_KPROBE, 1,
	       "without CAP_PERFMON and CAP_NET_ADMIN");
	/* a socket filter besides: part of it works, 2 */
	usable("{\"root\":{\"path\":\"r\"},\"process\":{" CAPS(
		   "[\"CAP_BPF\"]") "}}",
	       1ULL << BPF_PROG_TYPE_XDP | 1ULL << BPF_PROG_TYPE_SOCKET_FILTER,
	       2, "some of its program types (1 types)");
	/* with names, the program types are named */
	{
		struct bpfd_delegation d = deleg(1ULL << BPF_PROG_TYPE_KPROBE);
		struct bpfd_names *names = NULL;
		char why[256];

		assert_int_equal(
		    bpfd_names_load(&names, NULL, BPFD_NAMES_NO_BTF, NULL), 0);
		assert_int_equal(
		    bpfd_oci_usable(&cfg, &d, names, why, sizeof(why)), 1);
		print_message("# %s\n", why);
		assert_non_null(
		    strstr(why, "any of its program types (kprobe)"));
		bpfd_names_free(names);
	}
	/* programs delegated without prog_load: they do not matter */
	{
		struct bpfd_delegation d = deleg(0);
		char why[256];

		d.mask[BPFD_PROGS] = 1ULL << BPF_PROG_TYPE_KPROBE;
		parse("{\"root\":{\"path\":\"r\"},\"process\":{" CAPS(
		    "[\"CAP_BPF\"]") "}}");
		assert_int_equal(
		    bpfd_oci_usable(&cfg, &d, NULL, why, sizeof(why)), 0);
	}
}

#define CFG(seccomp)                                                           \
	"{\"root\":{\"path\":\"r\"},\"process\":{" CAPS(                       \
	    ALL_CAPS) "},\"linux\":{" seccomp "}}"

static void test_seccomp_podman(void **unused)
{
	(void)unused;
	/* podman's default profile: bpf() is EPERM for this container */
	usable(CFG(PODMAN_SECCOMP), 0, 1,
	       "syscalls[1] makes bpf() "
	       "SCMP_ACT_ERRNO, errno 1 EPERM");
	assert_int_equal(cfg.seccomp.nrules, 1);
	assert_int_equal(cfg.seccomp.default_errno, 38);
	/* the profile as podman writes it with --cap-add SYS_ADMIN: ALLOW */
	usable(CFG("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\","
		   "\"syscalls\":[{\"names\":[\"bpf\"],\"action\":"
		   "\"SCMP_ACT_ALLOW\"}]}"),
	       0, 0, NULL);
	/* bpf named nowhere: the default action decides */
	usable(CFG("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\","
		   "\"defaultErrnoRet\":38,\"syscalls\":[{\"names\":[\"read\"],"
		   "\"action\":\"SCMP_ACT_ALLOW\"}]}"),
	       0, 1, "default action is SCMP_ACT_ERRNO, errno 38 ENOSYS");
	usable(CFG("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
		   "\"syscalls\":[{\"names\":[\"read\"],\"action\":"
		   "\"SCMP_ACT_ERRNO\"}]}"),
	       0, 0, NULL);
	/* a deny-list profile that kills bpf() */
	usable(CFG("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
		   "\"syscalls\":[{\"names\":[\"bpf\"],\"action\":"
		   "\"SCMP_ACT_KILL_PROCESS\"}]}"),
	       0, 1, "SCMP_ACT_KILL_PROCESS");
	/* a user-notify supervisor or a tracer decides: no verdict */
	usable(CFG("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\","
		   "\"syscalls\":[{\"names\":[\"bpf\"],\"action\":"
		   "\"SCMP_ACT_NOTIFY\"}]}"),
	       0, 0, NULL);
	/* an unreadable rule never fails a container */
	usable(CFG("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\","
		   "\"syscalls\":[{\"names\":[\"bpf\"],\"action\":5}]}"),
	       0, 0, NULL);
	assert_true(cfg.seccomp.unreadable);
}

/* Conditions on bpf()'s command: BPF_TOKEN_CREATE is 36. */
static void test_seccomp_args(void **unused)
{
	char why[256];

	(void)unused;
	/* only BPF_MAP_CREATE allowed: no token */
	usable(CFG("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\","
		   "\"syscalls\":[{\"names\":[\"bpf\"],\"action\":"
		   "\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":0,"
		   "\"op\":\"SCMP_CMP_EQ\"}]}]}"),
	       0, 1, "default action is SCMP_ACT_ERRNO");
	/* commands up to 36 allowed: the token is */
	usable(CFG("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\","
		   "\"syscalls\":[{\"names\":[\"bpf\"],\"action\":"
		   "\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":36,"
		   "\"op\":\"SCMP_CMP_LE\"}]}]}"),
	       0, 0, NULL);
	/* BPF_TOKEN_CREATE denied by name, everything else allowed */
	usable(CFG("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ALLOW\","
		   "\"syscalls\":[{\"names\":[\"bpf\"],\"action\":"
		   "\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":36,"
		   "\"op\":\"SCMP_CMP_EQ\"}]}]}"),
	       0, 1, "syscalls[0] makes bpf() SCMP_ACT_ERRNO, errno 1 EPERM");
	/* a condition on the attr size: may allow, no verdict of "never" */
	usable(CFG("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\","
		   "\"syscalls\":[{\"names\":[\"bpf\"],\"action\":"
		   "\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":2,\"value\":8,"
		   "\"op\":\"SCMP_CMP_GE\"}]}]}"),
	       0, 0, NULL);
	/* MASKED_EQ as runc passes it: (cmd & value) == valueTwo */
	parse(CFG("\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\","
		  "\"syscalls\":[{\"names\":[\"bpf\"],\"action\":"
		  "\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":32,"
		  "\"valueTwo\":32,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}"));
	assert_int_equal(
	    bpfd_oci_seccomp_bpf(&cfg.seccomp, 36, ~0ULL, why, sizeof(why)),
	    BPFD_OCI_SC_ALLOW);
	assert_int_equal(
	    bpfd_oci_seccomp_bpf(&cfg.seccomp, 4, ~0ULL, why, sizeof(why)),
	    BPFD_OCI_SC_DENY);
}

/* podman's profile format (includes/excludes caps), if passed unresolved. */
static void test_seccomp_includes(void **unused)
{
	char why[256];
	static const char *const text = CFG(
	    "\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\","
	    "\"syscalls\":[{\"names\":[\"bpf\"],\"action\":\"SCMP_ACT_ALLOW\","
	    "\"includes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}},{\"names\":["
	    "\"bpf\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1,"
	    "\"excludes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}}]}");

	(void)unused;
	usable(text, 0, 1, "syscalls[1] makes bpf() SCMP_ACT_ERRNO");
	assert_true(cfg.seccomp.rule[0].includes_caps == 1ULL << CAP_SYS_ADMIN);
	/* with CAP_SYS_ADMIN in the bounding set, the first rule allows */
	assert_int_equal(bpfd_oci_seccomp_bpf(&cfg.seccomp, 36,
					      1ULL << CAP_SYS_ADMIN, why,
					      sizeof(why)),
			 BPFD_OCI_SC_ALLOW);
	assert_non_null(strstr(why, "syscalls[0]"));
	/* no profile at all */
	parse("{\"root\":{\"path\":\"r\"}}");
	assert_int_equal(
	    bpfd_oci_seccomp_bpf(&cfg.seccomp, 36, 0, why, sizeof(why)),
	    BPFD_OCI_SC_ALLOW);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_caps_parsed),
	    cmocka_unit_test(test_caps_decide),
	    cmocka_unit_test(test_seccomp_podman),
	    cmocka_unit_test(test_seccomp_args),
	    cmocka_unit_test(test_seccomp_includes),
	};
	int r = cmocka_run_group_tests(tests, NULL, NULL);

	bpfd_oci_config_free(&cfg);
	return r;
}
