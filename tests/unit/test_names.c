// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Names, the LIST syntax and presets, from both the built-in table and
 * the kernel's BTF.
 */
#include <errno.h>
#include <fcntl.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <bpf/btf.h>
#include <bpfdelegate/delegation.h>

#include "btf_enums.h"
#include "internal.h"
#include "names_fixture.h"
#include "testutil.h"

static void test_kind_strings(void **state)
{
	(void)state;
	assert_string_equal(bpfd_kind_name(BPFD_CMDS), "cmds");
	assert_string_equal(bpfd_kind_name(BPFD_ATTACHS), "attachs");
	assert_string_equal(bpfd_kind_option(BPFD_MAPS), "delegate_maps");
	assert_string_equal(bpfd_kind_option(BPFD_PROGS), "delegate_progs");
	assert_string_equal(bpfd_kind_prefix(BPFD_CMDS), "BPF_");
	assert_string_equal(bpfd_kind_prefix(BPFD_MAPS), "BPF_MAP_TYPE_");
	assert_string_equal(bpfd_kind_prefix(BPFD_PROGS), "BPF_PROG_TYPE_");
	assert_string_equal(bpfd_kind_prefix(BPFD_ATTACHS), "BPF_");
	assert_null(bpfd_kind_name(BPFD_NKINDS));
	assert_null(bpfd_kind_option((enum bpfd_kind) - 1));
	assert_null(bpfd_kind_prefix(BPFD_NKINDS));
}

/* The built-in table: 6.18, canonical name = first in enum order. */
static void test_fallback_table(void **state)
{
	struct bpfd_names *n = table(state, 0);

	assert_false(bpfd_names_from_btf(n));
	assert_true(bpfd_names_count(n, BPFD_CMDS) >= 37);
	assert_true(bpfd_names_count(n, BPFD_ATTACHS) >= 56);
	assert_string_equal(bpfd_names_get(n, BPFD_CMDS, 0), "map_create");
	assert_string_equal(bpfd_names_get(n, BPFD_CMDS, 36), "token_create");
	assert_string_equal(bpfd_names_get(n, BPFD_CMDS, 10), "prog_test_run");
	assert_string_equal(bpfd_names_get(n, BPFD_MAPS, 27), "ringbuf");
	assert_string_equal(bpfd_names_get(n, BPFD_MAPS, 19),
			    "cgroup_storage_deprecated");
	assert_string_equal(bpfd_names_get(n, BPFD_PROGS, 6), "xdp");
	assert_string_equal(bpfd_names_get(n, BPFD_ATTACHS, 0),
			    "cgroup_inet_ingress");
	assert_string_equal(bpfd_names_get(n, BPFD_ATTACHS, 37), "xdp");
	assert_null(bpfd_names_get(n, BPFD_CMDS, 63));
	assert_null(bpfd_names_get(n, BPFD_CMDS, 64));
	assert_null(bpfd_names_get(NULL, BPFD_CMDS, 0));
	for (int k = 0; k < BPFD_NKINDS; k++) {
		unsigned int c = bpfd_names_count(n, (enum bpfd_kind)k);

		/* the four enums have no holes */
		assert_true(bpfd_names_known(n, (enum bpfd_kind)k) ==
			    (c == 64 ? UINT64_MAX : (1ULL << c) - 1));
	}
}

static enum bpfd_kind kind_of(char c)
{
	return c == 'c'	  ? BPFD_CMDS
	       : c == 'm' ? BPFD_MAPS
	       : c == 'p' ? BPFD_PROGS
			  : BPFD_ATTACHS;
}

/* "KIND WORD VALUE", KIND one of c m p a; -2 is -ENOENT */
static const char *const lookups[] = {
    "m hash 1", "m HASH 1", "m Hash 1", "m BPF_MAP_TYPE_HASH 1",
    "m bpf_map_type_hash 1", "m BPFMapTypeHash 1",
    "m BPFMapTypeLruPercpuHash 10", "m cgroup_storage 19",
    "m cgroup_storage_deprecated 19", "c map_create 0", "c BPF_MAP_CREATE 0",
    "c PROG_LOAD 5", "c BPFMapCreate 0", "c BPFCommandMapCreate 0",
    "c BPFCommandProgLoad 5", "c prog_run 10", "c BPF_PROG_TEST_RUN 10",
    "c BPFProgRun 10", "c BPFProgTestRun 10", "c BPFTokenCreate 36", "p xdp 6",
    "p XDP 6", "p BPFProgTypeXdp 6", "p BPFProgTypeXDP 6",
    "p BPFProgTypeLwtSeg6local 19", "p BPFProgTypeLwtSeg6Local 19",
    "a cgroup_inet_ingress 0", "a BPFCgroupInetIngress 0",
    "a BPFCgroupInet4Bind 8", "a BPF_XDP 37",
    /* systemd 258's own test (TEST-*-BPF): unit words -> mount options */
    "c BPFObjPin 6", "c BPFBtfLoad 18", "c BPFMapFreeze 22",
    "c BPFLinkDetach 34", "m BPFMapTypeArray 2", "m BPFMapTypeCpumap 16",
    "m BPFMapTypeRingbuf 27", "p BPFProgTypeTracepoint 5",
    "p BPFProgTypeTracing 26", "a BPFFlowDissector 17", "a BPFCgroupSysctl 18",
    "a BPFNetfilter 45",
    /* not names */
    "m hsh -2", "m BPF_MAP_TYPE_ -2", "m map_type_hash -2", "m MapTypeHash -2",
    "m any -2", "p hash -2", "c __MAX_BPF_CMD -2", "c MAX_BPF_CMD -2",
    "c BPF_ -2", "a BPFCgroupInetIngres -2"};

static void test_lookup(void **state)
{
	char longw[300], w[128], k;
	int want;

	memset(longw, 'a', sizeof(longw) - 1);
	longw[sizeof(longw) - 1] = '\0';
	for (int t = 0; t < 2; t++) {
		struct bpfd_names *n = table(state, t);

		for (size_t i = 0; i < ARRAY_SIZE(lookups); i++) {
			int v;

			assert_int_equal(
			    sscanf(lookups[i], "%c %127s %d", &k, w, &want), 3);
			want = want == -2 ? -ENOENT : want;
			v = bpfd_names_lookup(n, kind_of(k), w);
			if (v != want)
				fail_msg("lookup '%s' = %d", lookups[i], v);
		}
		assert_int_equal(bpfd_names_lookup(n, BPFD_MAPS, longw),
				 -ENOENT);
		assert_int_equal(bpfd_names_lookup(n, BPFD_MAPS, ""), -ENOENT);
		assert_int_equal(bpfd_names_lookup(n, BPFD_NKINDS, "hash"),
				 -ENOENT);
		assert_int_equal(bpfd_names_lookup(n, BPFD_MAPS, NULL),
				 -ENOENT);
	}
	assert_int_equal(bpfd_names_lookup(NULL, BPFD_MAPS, "hash"), -ENOENT);
}

/* Every name, aliases too, in systemd's spelling comes back to its value,
 * and no two values of a kind look alike once '_' and case are ignored. */
static void test_systemd_spelling(void **state)
{
	char sd[256], w[256], a[128], b[128];

	assert_int_equal(
	    bpfd_name_systemd(BPFD_CMDS, "map_create", sd, sizeof(sd)), 12);
	assert_string_equal(sd, "BPFMapCreate");
	bpfd_name_systemd(BPFD_MAPS, "hash", sd, sizeof(sd));
	assert_string_equal(sd, "BPFMapTypeHash");
	bpfd_name_systemd(BPFD_PROGS, "xdp", sd, sizeof(sd));
	assert_string_equal(sd, "BPFProgTypeXdp");
	bpfd_name_systemd(BPFD_ATTACHS, "cgroup_inet4_bind", sd, sizeof(sd));
	assert_string_equal(sd, "BPFCgroupInet4Bind");
	assert_int_equal(bpfd_name_systemd(BPFD_NKINDS, "x", sd, 4), -EINVAL);
	assert_int_equal(bpfd_name_systemd(BPFD_MAPS, "lru_hash", sd, 4), 17);
	assert_string_equal(sd, "BPF");
	for (int t = 0; t < 2; t++) {
		struct bpfd_names *n = table(state, t);

		for (int k = 0; k < BPFD_NKINDS; k++) {
			for (unsigned int v = 0; v < 64; v++) {
				const char *name = bpfd_names_get(n, k, v);

				if (!name)
					continue;
				bpfd_name_systemd(k, name, sd, sizeof(sd));
				assert_int_equal(bpfd_names_lookup(n, k, sd),
						 (int)v);
				/* the kernel's spelling and upper case */
				snprintf(w, sizeof(w), "%s%s",
					 bpfd_kind_prefix(k), name);
				assert_int_equal(bpfd_names_lookup(n, k, w),
						 (int)v);
				for (unsigned int u = v + 1; u < 64; u++) {
					const char *o = bpfd_names_get(n, k, u);
					size_t x = 0, y = 0;

					if (!o)
						continue;
					for (const char *c = name; *c; c++)
						if (*c != '_')
							a[x++] = *c;
					for (const char *c = o; *c; c++)
						if (*c != '_')
							b[y++] = *c;
					a[x] = b[y] = '\0';
					assert_string_not_equal(a, b);
				}
			}
		}
	}
}

struct good {
	char kind;
	const char *list;
	uint64_t mask;
};

static const struct good goods[] = {
    {'m', "hash", 0x2},
    {'m', "hash:array", 0x6},
    {'m', "hash,array", 0x6},
    {'m', "hash:0x4", 0x6},
    {'m', "hash:0x2", 0x2},
    {'m', "0x6", 0x6},
    {'m', "0X6", 0x6},
    {'m', "6", 0x6},
    {'m', "06", 0x6},
    {'m', "010", 0x8},
    {'m', "0", 0},
    {'m', "0xffffffffffffffff", UINT64_MAX},
    {'m', "any", UINT64_MAX},
    {'m', "ANY", UINT64_MAX},
    {'m', "hash:any", UINT64_MAX},
    {'m', "BPF_MAP_TYPE_HASH, Array ,0x8:ringbuf,BPFMapTypeQueue",
     0xeULL | 1ULL << 27 | 1ULL << 22},
    {'c', "BPFMapCreate,prog_load:BPF_BTF_LOAD", 1 | 1 << 5 | 1 << 18},
    {'c', "prog_run:prog_test_run", 1 << 10},
    {'a', "cgroup_inet_ingress", 1},
    {'p', "BPFProgTypeXdp,sched_cls:0x1", 1 << 6 | 1 << 3 | 1},
};

static void test_parse_syntax(void **state)
{
	for (int t = 0; t < 2; t++) {
		struct bpfd_names *n = table(state, t);
		uint64_t m;

		for (size_t i = 0; i < ARRAY_SIZE(goods); i++) {
			struct bpfd_error e = {0};
			int r;

			m = 0;
			r = bpfd_parse_list(n, kind_of(goods[i].kind),
					    goods[i].list, &m, &e);
			if (r != 0 || m != goods[i].mask)
				fail_msg("'%s': %d %#llx %s", goods[i].list, r,
					 (unsigned long long)m, e.detail);
		}
		/* adds to what the mask had */
		m = 0x100;
		assert_int_equal(
		    bpfd_parse_list(n, BPFD_PROGS, "xdp", &m, NULL), 0);
		assert_true(m == (0x100 | 1ULL << 6));
	}
}

struct bad {
	enum bpfd_kind kind;
	const char *list;
	const char *detail; /* substring of the detail */
};

static const struct bad bads[] = {
    {BPFD_MAPS, "", "empty item"},
    {BPFD_MAPS, ":", "empty item"},
    {BPFD_MAPS, "hash:", "empty item"},
    {BPFD_MAPS, ",hash", "empty item"},
    {BPFD_MAPS, "hash::array", "empty item in map type list"},
    {BPFD_MAPS, "hash, ,array", "empty item"},
    {BPFD_MAPS, "0xZZ", "invalid number '0xZZ'"},
    {BPFD_MAPS, "0x", "invalid number"},
    {BPFD_MAPS, "08", "invalid number '08'"},
    {BPFD_MAPS, "12abc", "invalid number"},
    {BPFD_MAPS, "-1", "invalid number '-1'"},
    {BPFD_MAPS, "+1", "invalid number"},
    {BPFD_MAPS, "0x10000000000000000", "out of range"},
    {BPFD_MAPS, "99999999999999999999", "out of range"},
    {BPFD_MAPS, "hsh", "unknown map type 'hsh' (closest: hash"},
    {BPFD_MAPS, "hash:ringbuff",
     "unknown map type 'ringbuff' "
     "(closest: ringbuf"},
    {BPFD_CMDS, "map_craete",
     "unknown command 'map_craete' "
     "(closest: map_create"},
    {BPFD_PROGS, "hash", "unknown program type 'hash'"},
    {BPFD_ATTACHS, "BPFCgroupInetIngres",
     "unknown attach type 'BPFCgroupInetIngres' "
     "(closest: cgroup_inet_ingress"},
    {BPFD_MAPS, "qqqqqqqqqqqqqqqqqqqqqqqq", "unknown map type 'qqqq"},
};

static void test_parse_errors(void **state)
{
	char longl[400];

	for (int t = 0; t < 2; t++) {
		struct bpfd_names *n = table(state, t);

		for (size_t i = 0; i < ARRAY_SIZE(bads); i++) {
			struct bpfd_error e = {0};
			uint64_t m = 0x1234;
			int r = bpfd_parse_list(n, bads[i].kind, bads[i].list,
						&m, &e);

			if (r != -EINVAL || !strstr(e.detail, bads[i].detail))
				fail_msg("'%s': %d '%s'", bads[i].list, r,
					 e.detail);
			assert_int_equal(e.step, BPFD_STEP_PARSE);
			assert_int_equal(e.err, EINVAL);
			assert_true(m == 0x1234); /* untouched on error */
		}
	}
	{
		struct bpfd_error e = {0};
		uint64_t m = 0;

		assert_int_equal(bpfd_parse_list(table(state, 0), BPFD_MAPS,
						 "qqqqqqqqqqqqqqqqqq", &m, &e),
				 -EINVAL);
		assert_null(strstr(e.detail, "closest"));
		memset(longl, 'x', sizeof(longl) - 1);
		longl[sizeof(longl) - 1] = '\0';
		assert_int_equal(
		    bpfd_parse_list(table(state, 0), BPFD_MAPS, longl, &m, &e),
		    -EINVAL);
		assert_non_null(strstr(e.detail, "too long"));
		assert_int_equal(
		    bpfd_parse_list(table(state, 0), BPFD_MAPS, NULL, &m, &e),
		    -EINVAL);
		assert_int_equal(e.step, BPFD_STEP_ARGS);
		assert_int_equal(bpfd_parse_list(table(state, 0), BPFD_NKINDS,
						 "hash", &m, NULL),
				 -EINVAL);
		/* without names only numbers and "any" parse */
		assert_int_equal(
		    bpfd_parse_list(NULL, BPFD_MAPS, "0x3:any", &m, NULL), 0);
		assert_int_equal(
		    bpfd_parse_list(NULL, BPFD_MAPS, "hash", &m, &e), -EINVAL);
	}
}

static void test_suggest(void **state)
{
	struct bpfd_names *n = table(state, 0);
	char buf[128];

	assert_true(
	    bpfd_names_suggest(n, BPFD_MAPS, "hsh", 3, buf, sizeof(buf)) >= 1);
	assert_int_equal(strncmp(buf, "hash", 4), 0);
	assert_int_equal(bpfd_names_suggest(n, BPFD_MAPS, "BPFMapTypeHsh", 1,
					    buf, sizeof(buf)),
			 1);
	assert_string_equal(buf, "hash");
	assert_int_equal(bpfd_names_suggest(n, BPFD_MAPS, "BPF_MAP_TYPE_ARAY",
					    1, buf, sizeof(buf)),
			 1);
	assert_string_equal(buf, "array");
	assert_int_equal(
	    bpfd_names_suggest(n, BPFD_MAPS, "percpu_hsh", 2, buf, sizeof(buf)),
	    2);
	assert_int_equal(strncmp(buf, "percpu_hash, ", 13), 0);
	assert_int_equal(
	    bpfd_names_suggest(n, BPFD_MAPS, "zzzzzzzzzz", 3, buf, sizeof(buf)),
	    0);
	assert_string_equal(buf, "");
	/* no partial names in a short buffer */
	assert_int_equal(
	    bpfd_names_suggest(n, BPFD_MAPS, "percpu_hsh", 2, buf, 14), 1);
	assert_string_equal(buf, "percpu_hash");
	assert_int_equal(
	    bpfd_names_suggest(n, BPFD_MAPS, "hsh", 0, buf, sizeof(buf)), 0);
	assert_int_equal(
	    bpfd_names_suggest(NULL, BPFD_MAPS, "hsh", 3, buf, sizeof(buf)), 0);
}

static const char *fmt(struct bpfd_names *n, enum bpfd_kind k, uint64_t m,
		       char *buf, size_t len)
{
	int need = bpfd_format_list(n, k, m, buf, len);

	assert_int_equal(need, (int)strlen(buf));
	return buf;
}

static void test_format(void **state)
{
	struct bpfd_names *n = table(state, 0);
	char buf[1024];

	assert_string_equal(fmt(n, BPFD_MAPS, 0, buf, sizeof(buf)), "");
	assert_string_equal(fmt(n, BPFD_MAPS, UINT64_MAX, buf, sizeof(buf)),
			    "any");
	assert_string_equal(fmt(n, BPFD_MAPS, 0x6, buf, sizeof(buf)),
			    "hash:array");
	assert_string_equal(fmt(n, BPFD_CMDS, 1ULL << 10, buf, sizeof(buf)),
			    "prog_test_run");
	assert_string_equal(
	    fmt(n, BPFD_MAPS, 0x2ULL | 1ULL << 63, buf, sizeof(buf)),
	    "hash:0x8000000000000000");
	assert_string_equal(fmt(n, BPFD_MAPS, 3ULL << 62, buf, sizeof(buf)),
			    "0xc000000000000000");
	assert_string_equal(fmt(NULL, BPFD_MAPS, 0x6, buf, sizeof(buf)), "0x6");
	/* snprintf semantics */
	assert_int_equal(bpfd_format_list(n, BPFD_MAPS, 0x6, NULL, 0), 10);
	assert_int_equal(bpfd_format_list(n, BPFD_MAPS, 0x6, buf, 5), 10);
	assert_string_equal(buf, "hash");
	assert_int_equal(bpfd_format_list(n, BPFD_MAPS, 0x6, buf, 1), 10);
	assert_string_equal(buf, "");
}

/* format -> parse gives the mask back, known and unknown bits alike. */
static void test_round_trip(void **state)
{
	char buf[2048];

	srand(4242);
	for (int t = 0; t < 2; t++) {
		struct bpfd_names *n = table(state, t);

		for (int i = 0; i < 20000; i++) {
			enum bpfd_kind k = (enum bpfd_kind)(i % BPFD_NKINDS);
			uint64_t m = 0, back = 0;
			int density = rand() % 64;

			for (int b = 0; b < 64; b++)
				if (rand() % 64 < density)
					m |= 1ULL << b;
			if (i % 7 == 0) /* mostly known bits */
				m &= bpfd_names_known(n, k) | 1ULL << 63;
			bpfd_format_list(n, k, m, buf, sizeof(buf));
			if (m == 0)
				continue; /* "" is an empty item */
			assert_int_equal(
			    bpfd_parse_list(n, k, buf, &back, NULL), 0);
			if (back != m)
				fail_msg("%#llx -> '%s' -> %#llx",
					 (unsigned long long)m, buf,
					 (unsigned long long)back);
		}
	}
}

static void test_presets(void **state)
{
	const struct bpfd_preset *p;
	struct bpfd_error e = {0};
	struct bpfd_delegation d, u, one;
	const char *want[] = {"all",	       "xdp",	 "tc",
			      "socket-filter", "cgroup", "tracing"};

	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		assert_non_null(bpfd_preset_find(want[i]));
	assert_ptr_equal(bpfd_preset_find("Socket_Filter"),
			 bpfd_preset_find("socket-filter"));
	assert_null(bpfd_preset_find("nope"));
	assert_null(bpfd_preset_find(NULL));
	for (int t = 0; t < 2; t++) {
		struct bpfd_names *n = table(state, t);

		memset(&u, 0, sizeof(u));
		for (p = bpfd_presets(); p->name; p++) {
			assert_non_null(p->summary);
			memset(&one, 0, sizeof(one));
			if (bpfd_preset_apply(n, p->name, &one, &e) != 0)
				fail_msg("preset %s: %s", p->name, e.detail);
			/* what libbpf needs for any object */
			assert_true((one.mask[BPFD_CMDS] & 0x40021) == 0x40021);
			assert_true(one.mask[BPFD_ATTACHS] & 1);
			assert_true(one.mask[BPFD_MAPS] & 1ULL << 2);
			assert_true(one.mask[BPFD_PROGS] & 1ULL << 1);
			assert_int_equal(
			    bpfd_preset_apply(n, p->name, &u, NULL), 0);
			for (int k = 0; k < BPFD_NKINDS; k++)
				assert_true((u.mask[k] & one.mask[k]) ==
					    one.mask[k]);
		}
		memset(&d, 0, sizeof(d));
		assert_int_equal(bpfd_preset_apply(n, "xdp", &d, NULL), 0);
		assert_true(d.mask[BPFD_PROGS] & 1ULL << 6);
		assert_true(d.mask[BPFD_ATTACHS] & 1ULL << 37);
		assert_false(d.mask[BPFD_PROGS] & 1ULL << 3);
		assert_int_equal(bpfd_preset_apply(n, "tc", &d, NULL), 0);
		assert_true(d.mask[BPFD_PROGS] & 1ULL << 6); /* union */
		assert_true(d.mask[BPFD_PROGS] & 1ULL << 3);
		memset(&d, 0, sizeof(d));
		assert_int_equal(bpfd_preset_apply(n, "all", &d, NULL), 0);
		for (int k = 0; k < BPFD_NKINDS; k++)
			assert_true(d.mask[k] == UINT64_MAX);
		memset(&d, 0, sizeof(d));
		assert_int_equal(bpfd_preset_apply(n, "tracing", &d, NULL), 0);
		assert_true(d.mask[BPFD_MAPS] & 1ULL << 27);
		assert_true(d.mask[BPFD_PROGS] & 1ULL << 2);
	}
	memset(&d, 0, sizeof(d));
	assert_int_equal(bpfd_preset_apply(table(state, 0), "xpd", &d, &e),
			 -ENOENT);
	assert_non_null(strstr(e.detail, "unknown preset 'xpd'"));
	assert_non_null(strstr(e.detail, "tracing"));
	for (int k = 0; k < BPFD_NKINDS; k++)
		assert_true(d.mask[k] == 0);
}

/*
 * Names come and go between kernels, values never change: recorded
 * kernels' enums (tests/kernel_enums.h, not the running kernel's), each
 * read through BTF as on that kernel.
 */
static const struct {
	const struct kernel_fixture *k;
	char kind;
	const char *name;
	int want; /* -2: not there */
} by_kernel[] = {
    {&kernel_6_18, 'a', "tcx_ingress", 46},
    {&kernel_6_12, 'a', "tcx_ingress", 46},
    {&kernel_6_1, 'a', "tcx_ingress", -2},
    {&kernel_5_10, 'a', "tcx_egress", -2},
    {&kernel_6_12, 'a', "cgroup_unix_connect", 49},
    {&kernel_6_1, 'a', "cgroup_unix_connect", -2},
    {&kernel_6_1, 'a', "xdp_devmap", 33},
    {&kernel_6_18, 'c', "token_create", 36},
    {&kernel_6_12, 'c', "token_create", 36},
    {&kernel_6_1, 'c', "token_create", -2},
    {&kernel_6_1, 'c', "prog_run", 10},
    {&kernel_5_10, 'c', "prog_run", -2},
    {&kernel_5_10, 'c', "prog_test_run", 10},
    {&kernel_6_18, 'm', "cgroup_storage_deprecated", 19},
    {&kernel_6_18, 'm', "cgroup_storage", 19},
    {&kernel_6_1, 'm', "cgroup_storage_deprecated", -2},
    {&kernel_6_1, 'm', "cgroup_storage", 19},
    {&kernel_6_1, 'm', "user_ringbuf", 31},
    {&kernel_5_10, 'm', "user_ringbuf", -2},
    {&kernel_5_10, 'm', "ringbuf", 27},
    {&kernel_6_1, 'p', "netfilter", -2},
    {&kernel_6_12, 'p', "netfilter", 32},
};

static void test_kernel_fixtures(void **state)
{
	const struct kernel_fixture *const ks[] = KERNEL_FIXTURES;
	struct bpfd_names *newest = table(state, 1);
	char buf[2048];

	for (size_t i = 0; i < ARRAY_SIZE(by_kernel); i++) {
		struct bpfd_names *n = fixture_names(by_kernel[i].k);
		int want =
		    by_kernel[i].want == -2 ? -ENOENT : by_kernel[i].want;
		int v;

		assert_non_null(n);
		v = bpfd_names_lookup(n, kind_of(by_kernel[i].kind),
				      by_kernel[i].name);
		if (v != want)
			fail_msg("%s: '%s' = %d, want %d",
				 by_kernel[i].k->release, by_kernel[i].name, v,
				 want);
		bpfd_names_free(n);
	}
	for (size_t i = 0; i < ARRAY_SIZE(ks); i++) {
		struct bpfd_names *n = fixture_names(ks[i]);

		assert_non_null(n);
		for (int k = 0; k < BPFD_NKINDS; k++) {
			uint64_t known = bpfd_names_known(n, k), back = 0;

			/* an older kernel knows a subset, same values */
			assert_true((known & ~bpfd_names_known(newest, k)) ==
				    0);
			for (unsigned int v = 0; v < 64; v++) {
				const char *name = bpfd_names_get(n, k, v);

				if (name && bpfd_names_lookup(newest, k,
							      name) != (int)v)
					fail_msg(
					    "%s: %s is %u, not %d in 6.18",
					    ks[i]->release, name, v,
					    bpfd_names_lookup(newest, k, name));
			}
			/* its names, formatted, parse back to its mask */
			bpfd_format_list(n, k, known, buf, sizeof(buf));
			assert_int_equal(
			    bpfd_parse_list(n, k, buf, &back, NULL), 0);
			assert_true(back == known);
		}
		bpfd_names_free(n);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kind_strings),
	    cmocka_unit_test(test_fallback_table),
	    cmocka_unit_test(test_lookup),
	    cmocka_unit_test(test_systemd_spelling),
	    cmocka_unit_test(test_parse_syntax),
	    cmocka_unit_test(test_parse_errors),
	    cmocka_unit_test(test_suggest),
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_presets),
	    cmocka_unit_test(test_kernel_fixtures),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
