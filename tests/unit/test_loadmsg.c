// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The libbpf load-failure matcher (lib/loadmsg.c): each message as libbpf
 * 1.1 and 1.5 print it, with its variable parts (names, errnos, targets)
 * kept and reused in the explanation.  Lines marked "seen" were printed by
 * libbpf 1.5 under bpfdelegate run (tests/cli/explain.bats feeds them to
 * the CLI from a live run); the others are the format strings of libbpf
 * 1.1.2 / 1.5.0 filled in by hand.
 */
#include <errno.h>

#include <bpfdelegate/diag.h>
#include <bpfdelegate/loadmsg.h>

#include "testutil.h"

struct sample {
	const char *line;
	const char *id;
	const char *name;
	const char *target;
	int err;
};

static const struct sample samples[] = {
    /* seen */
    {"libbpf: prog 'xdp_pass': BPF program load failed: Operation not "
     "permitted",
     "prog-load-failed", "xdp_pass", "", EPERM},
    {"libbpf: prog 'xdp_pass': failed to load: -1", "prog-load-failed",
     "xdp_pass", "", EPERM},
    {"libbpf: map 'calls': failed to create: Operation not permitted(-1)",
     "map-create-failed", "calls", "", EPERM},
    {"libbpf: Error in bpf_create_map_xattr(calls):Operation not "
     "permitted(-1). Retrying without BTF.",
     "map-create-retry", "calls", "", EPERM},
    {"libbpf: map 'outer': failed to create inner map: -1",
     "inner-map-create-failed", "outer", "", EPERM},
    {"libbpf: Error in bpf_object__probe_loading():Operation not "
     "permitted(1). Couldn't load trivial BPF program. Make sure your "
     "kernel supports BPF (CONFIG_BPF_SYSCALL=y) and/or that "
     "RLIMIT_MEMLOCK is set to big enough value.",
     "probe-loading-failed", "", "", EPERM},
    {"libbpf: failed to determine tracepoint 'syscalls/sys_enter_getppid' "
     "perf event ID: Permission denied",
     "tracepoint-id-failed", "", "syscalls/sys_enter_getppid", EACCES},
    {"libbpf: prog 'tp_getppid': failed to create tracepoint "
     "'syscalls/sys_enter_getppid' perf event: No such file or directory",
     "tracepoint-perf-failed", "tp_getppid", "syscalls/sys_enter_getppid",
     ENOENT},
    {"libbpf: failed to add legacy kprobe event for 'do_nanosleep+0x0': "
     "Permission denied",
     "legacy-probe-failed", "", "do_nanosleep+0x0", EACCES},
    {"libbpf: prog 'kp_nanosleep': failed to create kprobe "
     "'do_nanosleep+0x0' perf event: Permission denied",
     "probe-perf-failed", "kp_nanosleep", "do_nanosleep+0x0", EACCES},
    {"libbpf: Failed to bump RLIMIT_MEMLOCK (err = -1), you might need to "
     "do it explicitly!",
     "memlock-bump-failed", "", "", EPERM},
    {"libbpf: permission error while running as root; try raising 'ulimit "
     "-l'? current value: 8.0 MiB",
     "root-ulimit-hint", "", "", 0},
    {"libbpf: failed to load object '/x/client.bpf.o'", "load-object-failed",
     "", "/x/client.bpf.o", 0},
    /* the short form, without libbpf's "Error in ...()" */
    {"Couldn't load trivial BPF program. Make sure your kernel supports "
     "BPF (CONFIG_BPF_SYSCALL=y)...",
     "probe-loading-failed", "", "", 0},
    /* format strings of 1.1.2 and 1.5.0 */
    {"libbpf: Error in probe_kern_global_data():Operation not "
     "permitted(1). Couldn't create simple array map.",
     "probe-array-failed", "", "probe_kern_global_data", EPERM},
    {"libbpf: Error loading .BTF into kernel: -1. BTF is mandatory, can't "
     "proceed.",
     "btf-load-failed", "", "", EPERM},
    {"libbpf: Error loading .BTF into kernel: -22. BTF is optional, "
     "ignoring.",
     "btf-load-optional", "", "", EINVAL},
    {"libbpf: BTF loading error: -1", "btf-load-failed", "", "", EPERM},
    {"libbpf: Detection of kernel BPF program name support failed: -13",
     "feature-probe-failed", "", "BPF program name", EACCES},
    {"libbpf: failed to load BPF skeleton 'client_bpf': -1",
     "load-skeleton-failed", "", "client_bpf", EPERM},
    {"libbpf: tracepoint 'sched/sched_switch' perf_event_open() failed: "
     "Permission denied",
     "tracepoint-perf-failed", "", "sched/sched_switch", EACCES},
    {"libbpf: prog 'h': failed to attach to tracepoint 'sched/"
     "sched_switch': Invalid argument",
     "tracepoint-attach-failed", "h", "sched/sched_switch", EINVAL},
    {"libbpf: failed to add legacy uprobe event for /bin/sh:0x1a0: -13",
     "legacy-probe-failed", "", "/bin/sh:0x1a0", EACCES},
    {"libbpf: legacy kprobe perf_event_open() failed: Permission denied",
     "legacy-probe-failed", "", "", EACCES},
    {"libbpf: prog 'u': failed to create uretprobe '/bin/sh:0x1a0' perf "
     "event: Operation not permitted",
     "probe-perf-failed", "u", "/bin/sh:0x1a0", EPERM},
    {"libbpf: prog 'k': failed to attach to kretprobe 'vfs_read+0x0': "
     "Invalid argument",
     "probe-attach-failed", "k", "vfs_read+0x0", EINVAL},
    {"libbpf: prog 'raw': failed to attach to raw tracepoint 'nope': No "
     "such file or directory",
     "raw-tp-attach-failed", "raw", "nope", ENOENT},
    {"libbpf: prog 'p': failed to create BPF link for perf_event FD 7: -22 "
     "(Invalid argument)",
     "perf-link-failed", "p", "7", EINVAL},
    /* names with what the pattern's literals hold: quotes, colons */
    {"libbpf: prog 'a': b': BPF program load failed: Permission denied",
     "prog-load-failed", "a': b", "", EACCES},
};

static void test_samples(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		const struct sample *s = &samples[i];
		struct bpfd_load_msg m;
		struct bpfd_error e = {0};

		if (bpfd_load_msg_parse(s->line, &m, &e) != 0)
			fail_msg("not recognised: %s", s->line);
		if (strcmp(m.id, s->id) || strcmp(m.name, s->name) ||
		    strcmp(m.target, s->target) || m.err != s->err)
			fail_msg("%s: got %s '%s' '%s' %d", s->line, m.id,
				 m.name, m.target, m.err);
	}
}

static bool has_cause(const struct bpfd_load_explanation *x, const char *id)
{
	for (size_t i = 0; i < x->n; i++)
		if (strcmp(x->cause[i].id, id) == 0)
			return true;
	return false;
}

static const struct bpfd_load_cause *
cause(const struct bpfd_load_explanation *x, const char *id)
{
	for (size_t i = 0; i < x->n; i++)
		if (strcmp(x->cause[i].id, id) == 0)
			return &x->cause[i];
	fail_msg("no cause %s", id);
	return NULL;
}

static void explain(const char *line, struct bpfd_load_msg *m,
		    struct bpfd_load_explanation *x)
{
	assert_int_equal(bpfd_load_msg_parse(line, m, NULL), 0);
	bpfd_load_msg_explain(m, 1, x);
}

/* The explanation reuses the variable parts and names the right items. */
static void test_explanations(void **state)
{
	struct bpfd_load_msg m;
	struct bpfd_load_explanation x;
	const struct bpfd_load_cause *c;

	(void)state;
	explain("prog 'tp_getppid': BPF program load failed: Operation not "
		"permitted",
		&m, &x);
	assert_non_null(strstr(x.what, "'tp_getppid'"));
	assert_false(x.harmless);
	assert_true(has_cause(&x, "prog-type-not-delegated"));
	assert_true(has_cause(&x, "attach-type-not-delegated"));
	assert_true(has_cause(&x, "no-cap-bpf"));
	c = cause(&x, "prog-type-not-delegated");
	assert_int_equal(c->kind, BPFD_LM_DELEGATION);
	assert_non_null(strstr(c->text, "'tp_getppid'"));
	c = cause(&x, "prog-load-not-delegated");
	assert_true(c->has_item);
	assert_int_equal(c->item_kind, BPFD_CMDS);
	assert_true(c->item_mask == 1ULL << 5); /* BPF_PROG_LOAD */

	/* the errno decides: EINVAL is no delegation problem */
	explain("prog 'x': BPF program load failed: Invalid argument", &m, &x);
	assert_false(has_cause(&x, "prog-type-not-delegated"));
	assert_true(has_cause(&x, "prog-invalid"));

	/* libbpf's probe: attach bit 0, socket_filter or tracepoint */
	explain("Error in bpf_object__probe_loading():Operation not "
		"permitted(1). Couldn't load trivial BPF program.",
		&m, &x);
	c = cause(&x, "attach-zero-not-delegated");
	assert_int_equal(c->item_kind, BPFD_ATTACHS);
	assert_true(c->item_mask == 1);
	c = cause(&x, "probe-prog-type-not-delegated");
	assert_true(c->item_mask == ((1ULL << 1) | (1ULL << 5)));

	/* a map: libbpf's internal maps are arrays, the item is known */
	explain("map 'client.rodata': failed to create: Operation not "
		"permitted(-1)",
		&m, &x);
	c = cause(&x, "map-type-not-delegated");
	assert_true(c->has_item);
	assert_int_equal(c->item_kind, BPFD_MAPS);
	assert_true(c->item_mask == 1ULL << 2);
	assert_non_null(strstr(c->text, "'client.rodata'"));
	explain("map 'calls': failed to create: Operation not permitted(-1)",
		&m, &x);
	assert_false(cause(&x, "map-type-not-delegated")->has_item);
	assert_true(has_cause(&x, "no-cap-net-admin"));

	/* tracepoints: no token grants tracefs or perf_event_open */
	explain("failed to determine tracepoint 'syscalls/sys_enter_getppid' "
		"perf event ID: Permission denied",
		&m, &x);
	assert_non_null(strstr(x.what, "'syscalls/sys_enter_getppid'"));
	assert_int_equal(cause(&x, "tracefs-host-only")->kind,
			 BPFD_LM_HOST_PRIV);
	assert_non_null(strstr(cause(&x, "use-raw-tp")->fix, "raw_tp"));

	/* RLIMIT_MEMLOCK: harmless, and why */
	explain("Failed to bump RLIMIT_MEMLOCK (err = -1), you might need to "
		"do it explicitly!",
		&m, &x);
	assert_true(x.harmless);
	assert_true(has_cause(&x, "memcg-probe-without-token"));
	assert_non_null(strstr(cause(&x, "memcg-accounting")->text, "5.11"));
	assert_non_null(strstr(cause(&x, "rlimit-needs-host-cap")->item,
			       "CAP_SYS_RESOURCE"));
	bpfd_load_msg_explain(&m, 0, &x);
	assert_false(has_cause(&x, "memcg-probe-without-token"));
	assert_true(has_cause(&x, "memcg-accounting"));
}

static void test_not_messages(void **state)
{
	static const char *const bad[] = {
	    "",
	    "garbage",
	    "prog '': BPF program load failed: x",
	    "map 'x': failed to create: Operation not permitted(zz)",
	    "prog 'x' BPF program load failed",
	    "libbpf: object 'x': failed (-22) to create BPF token from '/x'",
	};
	struct bpfd_load_msg m;
	struct bpfd_error e = {0};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (bpfd_load_msg_parse(bad[i], &m, &e) != -ENOENT)
			fail_msg("recognised: '%s' as %s", bad[i], m.id);
		assert_null(m.id);
	}
	assert_int_equal(bpfd_load_msg_parse(NULL, &m, &e), -EINVAL);
}

/* Long and hostile input: bounded, truncated, terminated. */
static void test_long_input(void **state)
{
	size_t n = 200000;
	char *s = malloc(n + 64);
	struct bpfd_load_msg m;

	(void)state;
	assert_non_null(s);
	/* many candidate starts and quote-colon pairs: bounded backtracking */
	for (size_t i = 0; i < n; i += 4)
		memcpy(s + i, "p':'", 4);
	s[n] = '\0';
	assert_int_equal(bpfd_load_msg_parse(s, &m, NULL), -ENOENT);
	/* a name longer than the field is cut, still terminated */
	memcpy(s, "prog '", 6);
	memset(s + 6, 'a', 1000);
	strcpy(s + 1006, "': failed to load: -13");
	assert_int_equal(bpfd_load_msg_parse(s, &m, NULL), 0);
	assert_int_equal(strlen(m.name), sizeof(m.name) - 1);
	assert_int_equal(m.err, EACCES);
	free(s);
}

/* The -22 token line: harmless on the host, not inside a user namespace. */
static void test_token_line_userns(void **state)
{
	struct bpfd_explain_query q;

	(void)state;
	assert_int_equal(
	    bpfd_explain_parse("libbpf: object 'x': failed (-22) to create BPF "
			       "token from '/sys/fs/bpf', skipping optional "
			       "step...",
			       &q, NULL),
	    0);
	assert_true(bpfd_explain_harmless(&q));
	q.userns = true;
	assert_false(bpfd_explain_harmless(&q));
}

static size_t gaps(uint64_t c, uint64_t m, uint64_t p, uint64_t a,
		   const char **ids)
{
	struct bpfd_delegation d = {{c, m, p, a}};
	struct bpfd_libbpf_gap g[8];
	size_t n = bpfd_libbpf_gaps(&d, g, 8);

	for (size_t i = 0; i < n; i++)
		ids[i] = g[i].id;
	return n;
}

/* What a libbpf loader needs besides its object. */
static void test_libbpf_gaps(void **state)
{
	const uint64_t prog_load = 1ULL << 5, map_create = 1, btf = 1ULL << 18;
	const char *ids[8];
	struct bpfd_libbpf_gap one;

	(void)state;
	/* the example: --progs socket_filter,xdp --attachs xdp */
	assert_int_equal(gaps(0, 0, (1ULL << 1) | (1ULL << 6), 1ULL << 37, ids),
			 3);
	assert_string_equal(ids[0], "prog-load");
	assert_string_equal(ids[1], "attach-zero");
	assert_string_equal(ids[2], "btf-load");
	/* a tracepoint program type does for the probe, attach 0 too */
	assert_int_equal(
	    gaps(prog_load | map_create | btf, 1ULL << 2, 1ULL << 5, 1, ids),
	    0);
	assert_int_equal(
	    gaps(prog_load | map_create | btf, 1ULL << 1, 1ULL << 6, 1, ids),
	    2);
	assert_string_equal(ids[0], "probe-prog-type");
	assert_string_equal(ids[1], "array");
	assert_int_equal(gaps(0, 1ULL << 2, 0, 0, ids), 2);
	assert_string_equal(ids[0], "map-create");
	assert_string_equal(ids[1], "btf-load");
	/* any x4 and nothing at all: no gap */
	assert_int_equal(gaps(~0ULL, ~0ULL, ~0ULL, ~0ULL, ids), 0);
	assert_int_equal(gaps(0, 0, 0, 0, ids), 0);
	/* more gaps than room: the count is still right */
	{
		struct bpfd_delegation d = {{0, 0, 1ULL << 6, 1ULL << 37}};

		assert_int_equal(bpfd_libbpf_gaps(&d, &one, 1), 4);
		assert_string_equal(one.id, "prog-load");
	}
	/* the kernel's is_perfmon_prog_type(), is_net_admin_prog_type() */
	assert_true(bpfd_progs_needing_cap(38 /* CAP_PERFMON */) &
		    (1ULL << 17)); /* raw_tracepoint */
	assert_false(bpfd_progs_needing_cap(38) & (1ULL << 1));
	assert_true(bpfd_progs_needing_cap(12 /* CAP_NET_ADMIN */) &
		    (1ULL << 6));				/* xdp */
	assert_false(bpfd_progs_needing_cap(12) & (1ULL << 8)); /* cgroup_skb */
	assert_true(bpfd_progs_needing_cap(39 /* CAP_BPF */) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_samples),
	    cmocka_unit_test(test_explanations),
	    cmocka_unit_test(test_not_messages),
	    cmocka_unit_test(test_long_input),
	    cmocka_unit_test(test_token_line_userns),
	    cmocka_unit_test(test_libbpf_gaps),
	};

	return cmocka_run_group_tests_name("loadmsg", tests, NULL, NULL);
}
