// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The streaming BTF reader, checked against libbpf's own BTF parser, the
 * built-in table, hand-made files and corrupt ones.
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
#include "btf_checks.h"
#include "names_fixture.h"
#include "testutil.h"

/* The real proof: the same entries, in the same order, as libbpf reads
 * (each recorded kernel's enums; the running kernel's: integration). */
static void test_btf_vs_libbpf(void **state)
{
	const struct kernel_fixture *const ks[] = KERNEL_FIXTURES;
	char path[32];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ks); i++) {
		assert_int_equal(fixture_btf_file(ks[i], path), 0);
		check_btf_vs_libbpf(path);
		unlink(path);
	}
}

/* Values are ABI: any name both tables know has the same value; from the
 * BTF of the kernel the table was generated from, the tables are the same
 * (6.18: same enums as the fallback's 6.18 build). */
static void test_btf_vs_fallback(void **state)
{
	const struct kernel_fixture *const ks[] = KERNEL_FIXTURES;

	check_btf_vs_fallback(need_btf(state), table(state, 0), true);
	for (size_t i = 1; i < ARRAY_SIZE(ks); i++) {
		struct bpfd_names *n = fixture_names(ks[i]);

		assert_non_null(n);
		check_btf_vs_fallback(n, table(state, 0), false);
		bpfd_names_free(n);
	}
}

/* Twenty reads in a row give the same entries (nothing depends on state
 * left from an earlier read, such as the mapping or the buffer). */
static void test_btf_repeatable(void **state)
{
	char path[32];

	(void)state;
	assert_int_equal(fixture_btf_file(&kernel_6_18, path), 0);
	check_btf_repeatable(path);
	unlink(path);
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

/* Cuts of a kernel's BTF (the 6.18 fixture's; the running kernel's 5.5 MB
 * file: integration): the header promises more than is there. */
static void test_btf_truncated_vmlinux(void **state)
{
	static uint8_t buf[65536];
	struct stat st;
	char path[32];
	size_t cuts[] = {0, 10, 24, 100, 1000, 0};
	int fd;

	(void)state;
	assert_int_equal(fixture_btf_file(&kernel_6_18, path), 0);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(st.st_size > 1000 && (size_t)st.st_size <= sizeof(buf));
	assert_int_equal(read(fd, buf, sizeof(buf)), st.st_size);
	close(fd);
	unlink(path);
	assert_int_equal(read_bytes(buf, (size_t)st.st_size), 0);
	cuts[ARRAY_SIZE(cuts) - 1] = (size_t)st.st_size - 1;
	for (size_t i = 0; i < ARRAY_SIZE(cuts); i++)
		assert_int_equal(read_bytes(buf, cuts[i]), -EINVAL);
}

/* A kernel that lacks names a preset lists: they are left out, noted. */
static void test_preset_known(void **state)
{
	static struct mk m;
	static uint8_t f[sizeof(m.t) + sizeof(m.s) + 24];
	struct bpfd_preset_skipped sk;
	struct bpfd_delegation d = {{0}};
	struct bpfd_error e = {0};
	struct bpfd_names *n;
	int r;

	(void)state;
	mk_std(&m, 0); /* no tcx_*, xdp_devmap, prog_load, socket_filter... */
	n = load_bytes(f, mk_file(&m, f), &e, &r);
	assert_int_equal(r, 0);
	assert_int_equal(bpfd_preset_apply(n, "xdp", &d, &e), -EINVAL);
	r = bpfd_preset_apply_known(n, "xdp", &d, &sk, &e);
	assert_true(r > 0);
	assert_string_equal(sk.list[BPFD_ATTACHS], "xdp_devmap:xdp_cpumap");
	assert_string_equal(sk.list[BPFD_CMDS],
			    "prog_load:btf_load:btf_get_fd_by_id");
	assert_non_null(strstr(sk.list[BPFD_PROGS], "socket_filter"));
	assert_true(d.mask[BPFD_ATTACHS] == (1ULL | 1ULL << 37));
	assert_true(d.mask[BPFD_PROGS] == 1ULL << 6);
	assert_true(d.mask[BPFD_MAPS] == 1ULL << 1);
	assert_true(d.mask[BPFD_CMDS] == 1ULL);
	r = bpfd_preset_apply_known(n, "tc", &d, &sk, &e);
	assert_non_null(
	    strstr(sk.list[BPFD_ATTACHS], "tcx_ingress:tcx_egress"));
	/* "any" needs no name; an unknown preset is still an error */
	assert_int_equal(bpfd_preset_apply_known(n, "all", &d, &sk, &e), 0);
	assert_string_equal(sk.list[BPFD_ATTACHS], "");
	assert_int_equal(bpfd_preset_apply_known(n, "nope", &d, &sk, &e),
			 -ENOENT);
	bpfd_names_free(n);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_btf_vs_libbpf),
	    cmocka_unit_test(test_btf_vs_fallback),
	    cmocka_unit_test(test_btf_repeatable),
	    cmocka_unit_test(test_btf_synthetic),
	    cmocka_unit_test(test_btf_corrupt),
	    cmocka_unit_test(test_btf_truncated_vmlinux),
	    cmocka_unit_test(test_names_load),
	    cmocka_unit_test(test_preset_known),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
