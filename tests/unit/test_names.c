// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Names, the LIST syntax, presets, and the streaming BTF reader, which is
 * checked against libbpf's own BTF parser and against corrupt files.
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
#include "testutil.h"

#define VMLINUX "/sys/kernel/btf/vmlinux"

struct tables {
	struct bpfd_names *fb;	/* built-in */
	struct bpfd_names *btf; /* kernel BTF, NULL without it */
};

static int setup(void **state)
{
	static struct tables t;

	if (bpfd_names_load(&t.fb, NULL, BPFD_NAMES_NO_BTF, NULL) < 0)
		return -1;
	if (access(VMLINUX, R_OK) == 0 &&
	    bpfd_names_load(&t.btf, NULL, 0, NULL) < 0)
		return -1;
	*state = &t;
	return 0;
}

static int teardown(void **state)
{
	struct tables *t = *state;

	bpfd_names_free(t->fb);
	bpfd_names_free(t->btf);
	return 0;
}

/* Both tables when there is BTF, else the built-in one twice. */
static struct bpfd_names *table(void **state, int i)
{
	struct tables *t = *state;

	return i && t->btf ? t->btf : t->fb;
}

static struct bpfd_names *need_btf(void **state)
{
	struct tables *t = *state;

	if (!t->btf)
		bpfd_skip("no %s (kernel without CONFIG_DEBUG_INFO_BTF)",
			  VMLINUX);
	return t->btf;
}

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

/* ---- the streaming BTF reader ---- */

/* The real proof: the same entries, in the same order, as libbpf reads. */
static void test_btf_vs_libbpf(void **state)
{
	static const char *const types[] = {"bpf_cmd", "bpf_map_type",
					    "bpf_prog_type", "bpf_attach_type"};
	struct bpfd_btf_enums e;
	struct btf *btf;

	need_btf(state);
	assert_int_equal(bpfd_btf_read_enums(VMLINUX, &e), 0);
	btf = btf__load_vmlinux_btf();
	assert_non_null(btf);
	for (int k = 0; k < BPFD_NKINDS; k++) {
		int id = btf__find_by_name_kind(btf, types[k], BTF_KIND_ENUM);
		const struct btf_type *t = btf__type_by_id(btf, id);
		const struct btf_enum *be = btf_enum(t);
		unsigned int j = 0, max = 0;

		assert_true(id > 0);
		for (int i = 0; i < btf_vlen(t); i++, be++) {
			const char *name =
			    btf__name_by_offset(btf, be->name_off);

			if (strncmp(name, "__MAX_", 6) == 0)
				max = (unsigned int)be->val;
			if (be->val < 0 || be->val >= 64 ||
			    strncmp(name, "__", 2) == 0 ||
			    strncmp(name, "MAX_", 4) == 0)
				continue;
			while (j < e.n && e.entries[j].kind != k)
				j++;
			assert_true(j < e.n);
			assert_string_equal(e.entries[j].name, name);
			assert_int_equal(e.entries[j].value, be->val);
			j++;
		}
		while (j < e.n && e.entries[j].kind != k)
			j++;
		assert_int_equal(j, e.n); /* nothing more of this kind */
		assert_int_equal(e.max[k], max);
	}
	btf__free(btf);
	bpfd_btf_enums_free(&e);
}

/* Values are ABI: any name both tables know has the same value; on the
 * kernel the table was generated from, the tables are the same. */
static void test_btf_vs_fallback(void **state)
{
	struct bpfd_names *b = need_btf(state), *f = table(state, 0);
	struct utsname u;
	bool same;

	assert_true(bpfd_names_from_btf(b));
	assert_int_equal(uname(&u), 0);
	same = strcmp(u.release, bpfd_fallback_kernel) == 0;
	for (unsigned int i = 0; i < bpfd_fallback_nentries; i++) {
		const struct bpfd_enum_entry *e = &bpfd_fallback_entries[i];
		int v = bpfd_names_lookup(b, e->kind, e->name);

		assert_true(v == e->value || (!same && v == -ENOENT));
	}
	for (int k = 0; same && k < BPFD_NKINDS; k++) {
		assert_int_equal(bpfd_names_count(b, k),
				 bpfd_names_count(f, k));
		assert_true(bpfd_names_known(b, k) == bpfd_names_known(f, k));
		for (unsigned int v = 0; v < 64; v++) {
			const char *x = bpfd_names_get(b, k, v);
			const char *y = bpfd_names_get(f, k, v);

			assert_true(x == y || (x && y && !strcmp(x, y)));
		}
	}
	if (!same)
		print_message("[  INFO    ] running %s, built-in table from "
			      "%s: compared values only\n",
			      u.release, bpfd_fallback_kernel);
}

static void test_btf_speed(void **state)
{
	struct timespec a, z;
	double best = 1e9;

	need_btf(state);
	for (int i = 0; i < 20; i++) {
		struct bpfd_btf_enums e;
		double ms;

		clock_gettime(CLOCK_MONOTONIC, &a);
		assert_int_equal(bpfd_btf_read_enums(VMLINUX, &e), 0);
		clock_gettime(CLOCK_MONOTONIC, &z);
		bpfd_btf_enums_free(&e);
		ms = (double)(z.tv_sec - a.tv_sec) * 1e3 +
		     (double)(z.tv_nsec - a.tv_nsec) / 1e6;
		best = ms < best ? ms : best;
	}
	print_message("[  INFO    ] BTF enums read in %.3f ms (best of 20)\n",
		      best);
}

/* A small BTF file built by hand. */
struct mk {
	uint8_t t[32768];
	size_t tl;
	char s[131072];
	size_t sl;
};

static uint32_t mk_str(struct mk *m, const char *s)
{
	uint32_t o = (uint32_t)m->sl;

	memcpy(m->s + m->sl, s, strlen(s) + 1);
	m->sl += strlen(s) + 1;
	return o;
}

static void mk_u32(struct mk *m, uint32_t v)
{
	memcpy(m->t + m->tl, &v, 4);
	m->tl += 4;
}

static void mk_type(struct mk *m, uint32_t name, unsigned int kind,
		    unsigned int vlen, uint32_t size)
{
	mk_u32(m, name);
	mk_u32(m, kind << 24 | vlen);
	mk_u32(m, size);
}

/* "NAME=VALUE" entries; kind 6 (ENUM) or 19 (ENUM64) */
static void mk_enum(struct mk *m, uint32_t name, unsigned int kind,
		    const char *const *ents, unsigned int n)
{
	mk_type(m, name, kind, n, kind == 19 ? 8 : 4);
	for (unsigned int i = 0; i < n; i++) {
		char buf[200];
		const char *eq = strchr(ents[i], '=');
		long long v = strtoll(eq + 1, NULL, 0);

		snprintf(buf, sizeof(buf), "%.*s", (int)(eq - ents[i]),
			 ents[i]);
		mk_u32(m, mk_str(m, buf));
		mk_u32(m, (uint32_t)v);
		if (kind == 19)
			mk_u32(m, (uint32_t)((unsigned long long)v >> 32));
	}
}

enum { MK_NO_ATTACH = 1, MK_SUFFIX = 2 };

static void mk_std(struct mk *m, int flags)
{
	static const char *const maps[] = {"BPF_MAP_TYPE_UNSPEC=0",
					   "BPF_MAP_TYPE_HASH=1",
					   "__MAX_BPF_MAP_TYPE=2"};
	static const char *const progs[] = {
	    "BPF_PROG_TYPE_UNSPEC=0", "BPF_PROG_TYPE_XDP=6",
	    "BPF_PROG_TYPE_BIG=0x10000000000", "__MAX_BPF_PROG_TYPE=7"};
	static const char *const cmds[] = {"BPF_MAP_CREATE=0",
					   "BPF_PROG_TEST_RUN=10",
					   "BPF_PROG_RUN=10",
					   "BPF_NEG=-1",
					   "FOO=3",
					   "__MAX_BPF_CMD=11"};
	static const char *const cmds2[] = {"BPF_OTHER=5"};
	static const char *const atts[] = {"BPF_CGROUP_INET_INGRESS=0",
					   "BPF_XDP=37",
					   "__MAX_BPF_ATTACH_TYPE=38"};
	uint32_t att;

	memset(m, 0, sizeof(*m));
	m->sl = 1; /* offset 0: "" */
	mk_type(m, mk_str(m, "int"), 1, 0, 4);
	mk_u32(m, 32);
	mk_type(m, mk_str(m, "s"), 4, 1, 4); /* struct, one member */
	mk_u32(m, 0);
	mk_u32(m, 1);
	mk_u32(m, 0);
	mk_type(m, mk_str(m, "bpf_cmd"), 6, 0, 4); /* enum bpf_cmd; */
	mk_enum(m, mk_str(m, "bpf_map_type"), 6, maps, 3);
	mk_enum(m, mk_str(m, "bpf_prog_type"), 19, progs, 4);
	mk_enum(m, mk_str(m, "bpf_cmd"), 6, cmds, 6);
	mk_enum(m, mk_str(m, "bpf_cmd"), 6, cmds2, 1); /* later copy */
	if (flags & MK_NO_ATTACH)
		return;
	if (flags & MK_SUFFIX) {
		/* named through the tail of a string past the first chunk,
		 * with a whole "bpf_attach_type" string early on */
		mk_str(m, "bpf_attach_type");
		memset(m->s + m->sl, 'f', 70000);
		m->sl += 70001;
		att = mk_str(m, "xbpf_attach_type") + 1;
	} else {
		att = mk_str(m, "bpf_attach_type");
	}
	mk_enum(m, att, 6, atts, 3);
}

static size_t mk_file(const struct mk *m, uint8_t *out)
{
	uint32_t h[6] = {
	    0x0001eb9f,	    24, 0, (uint32_t)m->tl, (uint32_t)m->tl,
	    (uint32_t)m->sl};

	memcpy(out, h, 24);
	memcpy(out + 24, m->t, m->tl);
	memcpy(out + 24 + m->tl, m->s, m->sl);
	return 24 + m->tl + m->sl;
}

/* Put @b in a temporary file; @path receives its name. */
static void write_tmp(const uint8_t *b, size_t n, char *path)
{
	int fd;

	strcpy(path, "/tmp/bpfd-btf-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, b, n), (ssize_t)n);
	close(fd);
}

static int read_bytes(const uint8_t *b, size_t n)
{
	struct bpfd_btf_enums e;
	char path[32];
	int r;

	write_tmp(b, n, path);
	r = bpfd_btf_read_enums(path, &e);
	bpfd_btf_enums_free(&e);
	unlink(path);
	return r;
}

static struct bpfd_names *load_bytes(const uint8_t *b, size_t n,
				     struct bpfd_error *e, int *r)
{
	struct bpfd_names *names = NULL;
	char path[32];

	write_tmp(b, n, path);
	*r = bpfd_names_load(&names, path, 0, e);
	unlink(path);
	return names;
}

static void test_btf_synthetic(void **state)
{
	static struct mk m;
	static uint8_t f[sizeof(m.t) + sizeof(m.s) + 24];
	struct bpfd_error e = {0};
	struct bpfd_names *n;
	int r;

	(void)state;
	for (int flags = 0; flags <= MK_SUFFIX; flags += MK_SUFFIX) {
		mk_std(&m, flags);
		n = load_bytes(f, mk_file(&m, f), &e, &r);
		assert_int_equal(r, 0);
		assert_true(bpfd_names_from_btf(n));
		assert_int_equal(bpfd_names_count(n, BPFD_CMDS), 11);
		assert_int_equal(bpfd_names_count(n, BPFD_MAPS), 2);
		assert_int_equal(bpfd_names_count(n, BPFD_PROGS), 7);
		assert_int_equal(bpfd_names_count(n, BPFD_ATTACHS), 38);
		assert_string_equal(bpfd_names_get(n, BPFD_CMDS, 10),
				    "prog_test_run");
		assert_int_equal(bpfd_names_lookup(n, BPFD_CMDS, "PROG_RUN"),
				 10);
		assert_int_equal(bpfd_names_lookup(n, BPFD_CMDS, "foo"),
				 -ENOENT);
		assert_int_equal(bpfd_names_lookup(n, BPFD_CMDS, "other"),
				 -ENOENT);
		assert_true(bpfd_names_known(n, BPFD_CMDS) == (1 | 1 << 10));
		assert_true(bpfd_names_known(n, BPFD_PROGS) == (1 | 1 << 6));
		assert_string_equal(bpfd_names_get(n, BPFD_ATTACHS, 37), "xdp");
		bpfd_names_free(n);
	}
	mk_std(&m, MK_NO_ATTACH);
	n = load_bytes(f, mk_file(&m, f), &e, &r);
	assert_null(n);
	assert_int_equal(r, -EINVAL);
	assert_int_equal(e.step, BPFD_STEP_BTF);
	assert_non_null(strstr(e.detail, "no enum"));
}

/* Patch the 32-bit word at byte @off of a fresh standard file. */
static int read_patched(size_t off, uint32_t v, ssize_t len_delta)
{
	static struct mk m;
	static uint8_t f[sizeof(m.t) + sizeof(m.s) + 24];
	size_t n;

	mk_std(&m, 0);
	n = mk_file(&m, f);
	if (off != SIZE_MAX)
		memcpy(f + off, &v, 4);
	return read_bytes(f, (size_t)((ssize_t)n + len_delta));
}

static void test_btf_corrupt(void **state)
{
	static struct mk m;
	static uint8_t f[sizeof(m.t) + sizeof(m.s) + 24], g[sizeof(f)];
	struct bpfd_btf_enums ee;
	size_t n, tl;

	(void)state;
	mk_std(&m, 0);
	n = mk_file(&m, f);
	tl = m.tl;
	assert_int_equal(read_bytes(f, n), 0);
	assert_int_equal(read_patched(0, 0x0001eb9e, 0), -EINVAL); /* magic */
	assert_int_equal(read_patched(0, 0x0002eb9f, 0), -EINVAL); /* version */
	assert_int_equal(read_patched(4, 8, 0), -EINVAL);	   /* hdr_len */
	assert_int_equal(read_patched(4, 100000, 0), -EINVAL);
	assert_int_equal(read_patched(12, (uint32_t)tl + 4, 0), -EINVAL);
	assert_int_equal(read_patched(12, (uint32_t)tl - 2, 0), -EINVAL);
	assert_int_equal(read_patched(20, (uint32_t)m.sl + 100, 0), -EINVAL);
	assert_int_equal(read_patched(20, 0, 0), -EINVAL);
	assert_int_equal(read_patched(24 + 4, 31U << 24, 0),
			 -EINVAL); /* kind */
	assert_int_equal(read_patched(24 + 20, 4U << 24 | 0xffff, 0), -EINVAL);
	/* int 16 bytes, struct 24, enum fwd 12, enum header 12: the first
	 * entry of bpf_map_type names something past the strings, or "" */
	assert_int_equal(read_patched(24 + 64, 0x7fffffff, 0), -EINVAL);
	assert_int_equal(read_patched(24 + 64, 0, 0), -EINVAL);
	assert_int_equal(read_patched(24 + tl, 0x78787878, 0), -EINVAL);
	assert_int_equal(read_patched(24 + tl + m.sl - 4, 0x78787878, 0),
			 -EINVAL); /* last string not terminated */
	for (ssize_t cut = 1; cut < (ssize_t)n; cut += 1 + cut / 3)
		assert_int_equal(read_patched(SIZE_MAX, 0, -cut), -EINVAL);
	/* random damage: any result but a crash (ASan/valgrind watch) */
	srand(7);
	for (int i = 0; i < 3000; i++) {
		memcpy(g, f, n);
		for (int j = rand() % 4; j >= 0; j--)
			g[(size_t)rand() % n] = (uint8_t)rand();
		assert_true(read_bytes(g, n) <= 0);
	}
	assert_int_equal(bpfd_btf_read_enums("/nonexistent/btf", &ee), -ENOENT);
	assert_int_equal(bpfd_btf_read_enums("/tmp", &ee), -EINVAL);
	assert_int_equal(ee.n, 0);
}

/* Cuts of the real 5.5 MB file: the header promises more than is there. */
static void test_btf_truncated_vmlinux(void **state)
{
	static const size_t cuts[] = {0, 10, 24, 4096, 100000, 1000000};
	uint8_t *buf = malloc(cuts[ARRAY_SIZE(cuts) - 1]);
	int fd;

	need_btf(state);
	fd = open(VMLINUX, O_RDONLY);
	assert_true(fd >= 0 && buf);
	/* sysfs gives a page per read */
	for (size_t got = 0; got < cuts[ARRAY_SIZE(cuts) - 1];) {
		ssize_t r = pread(fd, buf + got,
				  cuts[ARRAY_SIZE(cuts) - 1] - got, (off_t)got);

		assert_true(r > 0);
		got += (size_t)r;
	}
	close(fd);
	for (size_t i = 0; i < ARRAY_SIZE(cuts); i++)
		assert_int_equal(read_bytes(buf, cuts[i]), -EINVAL);
	free(buf);
}

static void test_names_load(void **state)
{
	struct bpfd_error e = {0};
	struct bpfd_names *n = NULL;
	uint8_t junk[64] = "not btf at all";
	int r;

	(void)state;
	assert_int_equal(bpfd_names_load(&n, "/nonexistent/vmlinux", 0, &e), 0);
	assert_false(bpfd_names_from_btf(n));
	assert_int_equal(bpfd_names_lookup(n, BPFD_MAPS, "ringbuf"), 27);
	bpfd_names_free(n);
	assert_null(load_bytes(junk, sizeof(junk), &e, &r));
	assert_int_equal(r, -EINVAL);
	assert_int_equal(e.step, BPFD_STEP_BTF);
	assert_non_null(strstr(e.detail, "/tmp/bpfd-btf-"));
	assert_int_equal(bpfd_names_load(&n, NULL, 0x80, &e), -EINVAL);
	assert_int_equal(e.step, BPFD_STEP_ARGS);
	assert_int_equal(bpfd_names_load(NULL, NULL, 0, NULL), -EINVAL);
	bpfd_names_free(NULL);
}

#define BTF_TESTS                                                              \
	cmocka_unit_test(test_btf_vs_libbpf),                                  \
	    cmocka_unit_test(test_btf_vs_fallback),                            \
	    cmocka_unit_test(test_btf_speed),                                  \
	    cmocka_unit_test(test_btf_synthetic),                              \
	    cmocka_unit_test(test_btf_corrupt),                                \
	    cmocka_unit_test(test_btf_truncated_vmlinux),                      \
	    cmocka_unit_test(test_names_load),

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
	    BTF_TESTS};

	return cmocka_run_group_tests(tests, setup, teardown);
}
