// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What a libbpf loader needs delegated to load a BPF object, read from the
 * ELF with the system's libbpf (bpf_object__open_mem: no bpf() call, no
 * privilege) and completed with what libbpf 1.5 does at load time:
 *
 * - Each program: its type, and its expected_attach_type as libbpf derives
 *   both from the section name (the kernel checks the prog type bit AND the
 *   attach type bit of the token at BPF_PROG_LOAD).  Debian 12's libbpf is
 *   1.1; sections it does not know (tcx/, netkit/, uprobe.multi, ...) come
 *   from newer_sections[] below, which mirrors libbpf 1.5 (measured: every
 *   name 1.5's section_defs accepts and 1.1 does not, with the type and
 *   attach type 1.5's libbpf_prog_type_by_name() returns for it).
 * - libbpf 1.5's load-time probes, which use the token too (seen with
 *   tests/libbpf/client under `run`):
 *   . bpf_object__probe_loading(): a trivial BPF_PROG_TYPE_SOCKET_FILTER
 *     load, then a TRACEPOINT one, both with expected_attach_type 0; if
 *     both fail the whole load fails ("Couldn't load trivial BPF
 *     program").  So attach bit 0 (cgroup_inet_ingress) and one of those
 *     two program types are always needed.
 *   . the global data probe: an ARRAY map and a SOCKET_FILTER program
 *     using it; an object with .data/.rodata/.bss fails without it ("map
 *     '.rodata': kernel doesn't support global data").
 *   . the expected-attach-type probe: a CGROUP_SOCK program with
 *     BPF_CGROUP_INET_SOCK_CREATE.  When it fails, sections marked
 *     SEC_EXP_ATTACH_OPT in libbpf (xdp, cgroup_skb/ingress, ...) are
 *     loaded with expected_attach_type 0 instead of theirs.  Under a
 *     delegation without cgroup_sock that is what happens, so an XDP
 *     program needs attach bit 0, not xdp (seen: --progs xdp:socket_filter
 *     --attachs cgroup_inet_ingress loads and runs xdp_pass).
 * - Maps: every map libbpf creates (internal .data/.rodata/.bss/.kconfig
 *   maps are arrays), and the inner map of a map-in-map, which libbpf
 *   creates first as the template (BPF_MAP_CREATE of the inner type).
 * - Commands: only those that take a token are delegated (map_create,
 *   prog_load, btf_load); the others libbpf issues (obj_get_info_by_fd,
 *   map_update_elem, map_freeze, link_create, ...) work on fds the loader
 *   already holds and no token applies to them (reference/bpf-token.md).
 *   btf_load when the object carries BTF: without it libbpf 1.5 goes on
 *   and loads the object without its BTF (seen: no BTF loaded).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "internal.h"
#include "objneeds.h"
#include "quote.h"

/* libbpf 1.5 sections libbpf 1.1 does not know.  Attach type values from
 * the 6.18 UAPI (Debian 12's linux/bpf.h is 6.1's and lacks them). */
static const struct newer_section {
	const char *sec;
	bool plus; /* libbpf's "sec+": exactly SEC, or SEC followed by '/' */
	unsigned int prog_type, attach_type;
} newer_sections[] = {
    {"cgroup/connect_unix", false, BPF_PROG_TYPE_CGROUP_SOCK_ADDR, 49},
    {"cgroup/sendmsg_unix", false, BPF_PROG_TYPE_CGROUP_SOCK_ADDR, 50},
    {"cgroup/recvmsg_unix", false, BPF_PROG_TYPE_CGROUP_SOCK_ADDR, 51},
    {"cgroup/getpeername_unix", false, BPF_PROG_TYPE_CGROUP_SOCK_ADDR, 52},
    {"cgroup/getsockname_unix", false, BPF_PROG_TYPE_CGROUP_SOCK_ADDR, 53},
    {"kprobe.session", true, BPF_PROG_TYPE_KPROBE, 56},
    {"netfilter", false, 32 /* BPF_PROG_TYPE_NETFILTER */, 45},
    {"netkit/primary", false, BPF_PROG_TYPE_SCHED_CLS, 54},
    {"netkit/peer", false, BPF_PROG_TYPE_SCHED_CLS, 55},
    {"sk_skb/verdict", false, BPF_PROG_TYPE_SK_SKB, 38},
    {"struct_ops.s", true, BPF_PROG_TYPE_STRUCT_OPS, 0},
    {"tc/ingress", false, BPF_PROG_TYPE_SCHED_CLS, 46},
    {"tc/egress", false, BPF_PROG_TYPE_SCHED_CLS, 47},
    {"tcx/ingress", false, BPF_PROG_TYPE_SCHED_CLS, 46},
    {"tcx/egress", false, BPF_PROG_TYPE_SCHED_CLS, 47},
    {"uprobe.multi", true, BPF_PROG_TYPE_KPROBE, 48},
    {"uprobe.multi.s", true, BPF_PROG_TYPE_KPROBE, 48},
    {"uretprobe.multi", true, BPF_PROG_TYPE_KPROBE, 48},
    {"uretprobe.multi.s", true, BPF_PROG_TYPE_KPROBE, 48},
    {"usdt.s", true, BPF_PROG_TYPE_KPROBE, 0},
};

/* libbpf 1.5's SEC_EXP_ATTACH_OPT sections (exact names). */
static const char *const exp_attach_opt[] = {
    "xdp",
    "sockops",
    "sk_skb/stream_parser",
    "sk_skb/stream_verdict",
    "sk_msg",
    "lirc_mode2",
    "flow_dissector",
    "cgroup_skb/ingress",
    "cgroup_skb/egress",
    "cgroup/sock",
    "cgroup/dev",
};

/*
 * libbpf's print callback has no context pointer: its last warning is
 * kept here, per thread, for the error detail.
 */
static _Thread_local char libbpf_msg[160];

static int capture(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char raw[sizeof(libbpf_msg)];
	size_t l;

	if (level != LIBBPF_WARN)
		return 0;
	vsnprintf(raw, sizeof(raw), fmt, ap);
	l = strlen(raw);
	while (l && (raw[l - 1] == '\n' || raw[l - 1] == ' '))
		raw[--l] = '\0';
	/* libbpf quotes names from the object (programs, maps, sections)
	 * as they are: a newline or an ESC sequence there must not reach
	 * the caller's terminal (the fuzzer found a program named ";:\n"). */
	bpfd_escape_line(libbpf_msg, sizeof(libbpf_msg), raw);
	return 0;
}

int bpfd_objneeds_refuse(struct bpfd_error *err, int e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bpfd_error_setv(err, BPFD_STEP_ARGS, e, fmt, ap);
	va_end(ap);
	if (err)
		err->refused = true;
	return -e;
}

static const char *machine_name(unsigned int m)
{
	switch (m) {
	case EM_X86_64:
		return "x86-64";
	case EM_386:
		return "i386";
	case EM_AARCH64:
		return "AArch64";
	case EM_ARM:
		return "ARM";
	case EM_RISCV:
		return "RISC-V";
	case EM_PPC64:
		return "PowerPC64";
	case EM_S390:
		return "s390";
	default:
		return "another machine";
	}
}

/*
 * What libbpf is given has been checked first: an ELF header, a 64-bit
 * little-endian BPF relocatable object, and section headers and contents
 * inside the buffer.  libelf checks much of this too; doing it here gives
 * one clear line per kind of bad input.
 */
int bpfd_objneeds_check_elf(const void *buf, size_t len, struct bpfd_error *err)
{
	const unsigned char *b = buf;
	Elf64_Ehdr eh;

	if (len == 0)
		return bpfd_objneeds_refuse(err, ENOEXEC,
					    "empty file, not an ELF object");
	if (len < SELFMAG || memcmp(b, ELFMAG, SELFMAG) != 0)
		return bpfd_objneeds_refuse(err, ENOEXEC, "not an ELF file");
	if (len < sizeof(eh))
		return bpfd_objneeds_refuse(
		    err, EINVAL, "truncated: shorter than an ELF header");
	if (b[EI_CLASS] != ELFCLASS64)
		return bpfd_objneeds_refuse(
		    err, ENOEXEC, "a 32-bit ELF file, not a BPF object");
	if (b[EI_DATA] != ELFDATA2LSB)
		return bpfd_objneeds_refuse(
		    err, ENOEXEC,
		    "a big-endian ELF file: not loadable on this "
		    "little-endian machine");
	memcpy(&eh, b, sizeof(eh));
	if (eh.e_machine != EM_BPF)
		return bpfd_objneeds_refuse(
		    err, ENOEXEC,
		    "an ELF file for %s (e_machine %u), not a BPF "
		    "object",
		    machine_name(eh.e_machine), eh.e_machine);
	if (eh.e_type != ET_REL)
		return bpfd_objneeds_refuse(
		    err, ENOEXEC,
		    "a BPF ELF file but not a relocatable object "
		    "(e_type %u; clang -target bpf -c makes one)",
		    eh.e_type);
	if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shnum == 0 ||
	    eh.e_shstrndx >= eh.e_shnum)
		return bpfd_objneeds_refuse(
		    err, EINVAL, "malformed: bad section header table");
	if (eh.e_shoff > len ||
	    (size_t)eh.e_shnum * sizeof(Elf64_Shdr) > len - eh.e_shoff)
		return bpfd_objneeds_refuse(
		    err, EINVAL,
		    "truncated: its section headers end past the "
		    "end of the file (%zu bytes)",
		    len);
	for (unsigned int i = 0; i < eh.e_shnum; i++) {
		Elf64_Shdr sh;

		memcpy(&sh, b + eh.e_shoff + i * sizeof(sh), sizeof(sh));
		if (sh.sh_type == SHT_NOBITS || sh.sh_type == SHT_NULL)
			continue;
		if (sh.sh_offset > len || sh.sh_size > len - sh.sh_offset)
			return bpfd_objneeds_refuse(
			    err, EINVAL,
			    "truncated: section %u ends past the "
			    "end of the file (%zu bytes)",
			    i, len);
	}
	return 0;
}

static bool section_matches(const char *sec, const char *def, bool plus)
{
	size_t l = strlen(def);

	if (!plus)
		return strcmp(sec, def) == 0;
	return strncmp(sec, def, l) == 0 && (sec[l] == '\0' || sec[l] == '/');
}

static const struct newer_section *newer_section(const char *sec)
{
	for (size_t i = 0; i < ARRAY_SIZE(newer_sections); i++)
		if (section_matches(sec, newer_sections[i].sec,
				    newer_sections[i].plus))
			return &newer_sections[i];
	return NULL;
}

static bool is_exp_attach_opt(const char *sec)
{
	for (size_t i = 0; i < ARRAY_SIZE(exp_attach_opt); i++)
		if (strcmp(sec, exp_attach_opt[i]) == 0)
			return true;
	return false;
}

static bool has(const struct bpfd_needs *n, enum bpfd_kind k, unsigned int v)
{
	return n->deleg.mask[k] >> v & 1;
}

/* Bounded copies of names from the file, for reasons. */
#define NM "%.64s"

struct objscan {
	struct bpfd_needs *n;
	struct bpfd_error *err;
	unsigned int nprogs;
	bool global_data;
	/* SEC_EXP_ATTACH_OPT programs, decided once the rest is known */
	struct bpf_program *opt[64];
	unsigned int nopt;
};

static int add(struct objscan *s, enum bpfd_kind k, unsigned int v,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int add(struct objscan *s, enum bpfd_kind k, unsigned int v,
	       const char *fmt, ...)
{
	char reason[sizeof(s->n->items[0].reason)];
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (v >= 64)
		return bpfd_objneeds_refuse(
		    s->err, EINVAL,
		    "%s: value %u is beyond the 64 bits a "
		    "delegation has",
		    reason, v);
	r = bpfd_needs_add(s->n, k, v, "%s", reason);
	if (r < 0)
		return bpfd_error_set(s->err, BPFD_STEP_ARGS, r, NULL);
	return 0;
}

static int scan_program(struct objscan *s, struct bpf_program *p)
{
	const char *sec = bpf_program__section_name(p);
	const char *pn = bpf_program__name(p);
	unsigned int t = bpf_program__type(p);
	unsigned int a = bpf_program__expected_attach_type(p);
	int r;

	if (!bpf_program__autoload(p))
		return 0; /* SEC("?..."): not loaded unless asked for */
	if (t == BPF_PROG_TYPE_UNSPEC) {
		const struct newer_section *ns = newer_section(sec);

		if (!ns)
			return bpfd_objneeds_refuse(
			    s->err, EINVAL,
			    "program '" NM "': libbpf cannot tell "
			    "its type from section '" NM "'",
			    pn, sec);
		t = ns->prog_type;
		a = ns->attach_type;
	}
	s->nprogs++;
	r = add(s, BPFD_CMDS, BPF_PROG_LOAD,
		"program '" NM "' is loaded with BPF_PROG_LOAD", pn);
	if (!r)
		r = add(s, BPFD_PROGS, t, "program '" NM "' (SEC(\"" NM "\"))",
			pn, sec);
	if (r)
		return r;
	if (is_exp_attach_opt(sec)) {
		if (s->nopt >= ARRAY_SIZE(s->opt))
			return bpfd_objneeds_refuse(
			    s->err, EINVAL,
			    "more than %zu programs in sections "
			    "such as '" NM "'",
			    ARRAY_SIZE(s->opt), sec);
		s->opt[s->nopt++] = p;
		return 0;
	}
	return add(s, BPFD_ATTACHS, a,
		   "program '" NM "' (SEC(\"" NM "\")) is loaded with this "
		   "expected_attach_type",
		   pn, sec);
}

static int scan_map(struct objscan *s, struct bpf_map *m)
{
	const char *mn = bpf_map__name(m);
	struct bpf_map *inner;
	int r;

	if (!bpf_map__autocreate(m))
		return 0;
	if (bpf_map__is_internal(m))
		s->global_data = true;
	r = add(s, BPFD_CMDS, BPF_MAP_CREATE,
		"map '" NM "' is created with BPF_MAP_CREATE", mn);
	if (!r)
		r = add(s, BPFD_MAPS, bpf_map__type(m), "map '" NM "'%s", mn,
			bpf_map__is_internal(m) ? " (global data)" : "");
	inner = r ? NULL : bpf_map__inner_map(m);
	if (inner)
		r = add(s, BPFD_MAPS, bpf_map__type(inner),
			"the inner map of map-in-map '" NM
			"' (libbpf creates one as the template)",
			mn);
	return r;
}

/* libbpf 1.5's load-time probes (see the top of this file). */
static int add_probes(struct objscan *s)
{
	struct bpfd_needs *n = s->n;
	bool exp_attach;
	int r = 0;

	if (s->global_data)
		r = add(s, BPFD_PROGS, BPF_PROG_TYPE_SOCKET_FILTER,
			"libbpf's global data probe loads a socket filter "
			"(the object has .data/.rodata/.bss)");
	if (!r && !has(n, BPFD_PROGS, BPF_PROG_TYPE_SOCKET_FILTER) &&
	    !has(n, BPFD_PROGS, BPF_PROG_TYPE_TRACEPOINT))
		r = add(s, BPFD_PROGS, BPF_PROG_TYPE_SOCKET_FILTER,
			"libbpf's first load is a trivial socket filter (or "
			"tracepoint); the whole load fails without it");
	if (!r)
		r = add(s, BPFD_ATTACHS, 0,
			"libbpf's first load (a trivial socket filter or "
			"tracepoint) has expected_attach_type 0");
	exp_attach = has(n, BPFD_PROGS, BPF_PROG_TYPE_CGROUP_SOCK) &&
		     has(n, BPFD_ATTACHS, BPF_CGROUP_INET_SOCK_CREATE);
	for (unsigned int i = 0; !r && i < s->nopt; i++) {
		struct bpf_program *p = s->opt[i];

		if (exp_attach)
			r = add(s, BPFD_ATTACHS,
				bpf_program__expected_attach_type(p),
				"program '" NM "' (SEC(\"" NM "\")): libbpf's "
				"expected-attach-type probe passes with "
				"cgroup_sock and cgroup_inet_sock_create",
				bpf_program__name(p),
				bpf_program__section_name(p));
		else
			r = add(s, BPFD_ATTACHS, 0,
				"program '" NM "' (SEC(\"" NM "\")) is loaded "
				"with expected_attach_type 0: libbpf's probe "
				"for it needs cgroup_sock",
				bpf_program__name(p),
				bpf_program__section_name(p));
	}
	return r;
}

static int scan(struct bpf_object *obj, struct objscan *s)
{
	struct bpf_program *p;
	struct bpf_map *m;
	int r;

	bpf_object__for_each_program(p, obj)
	{
		r = scan_program(s, p);
		if (r)
			return r;
	}
	if (s->nprogs == 0)
		return bpfd_objneeds_refuse(
		    s->err, EINVAL, "no BPF program libbpf would load in it");
	bpf_object__for_each_map(m, obj)
	{
		r = scan_map(s, m);
		if (r)
			return r;
	}
	if (bpf_object__btf(obj)) {
		r = add(s, BPFD_CMDS, BPF_BTF_LOAD,
			"the object carries BTF, loaded with BPF_BTF_LOAD "
			"(without it libbpf loads the object without its BTF)");
		if (r)
			return r;
	}
	return add_probes(s);
}

int bpfd_objneeds_mem(const void *buf, size_t len, const char *name,
		      struct bpfd_needs *n, struct bpfd_error *err)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = name);
	struct objscan s = {.n = n, .err = err};
	libbpf_print_fn_t old;
	struct bpf_object *obj;
	long r;

	if (!buf || !n)
		return bpfd_error_set(err, BPFD_STEP_ARGS, EINVAL, NULL);
	if (len > BPFD_OBJ_MAX_SIZE)
		return bpfd_objneeds_refuse(err, EFBIG, "larger than %u MiB",
					    BPFD_OBJ_MAX_SIZE >> 20);
	r = bpfd_objneeds_check_elf(buf, len, err);
	if (r)
		return (int)r;
	libbpf_msg[0] = '\0';
	old = libbpf_set_print(capture);
	obj = bpf_object__open_mem(buf, len, &opts);
	r = libbpf_get_error(obj);
	if (!r)
		r = scan(obj, &s);
	else
		r = bpfd_objneeds_refuse(
		    err, ENOEXEC, "libbpf cannot open it: %s",
		    libbpf_msg[0] ? libbpf_msg : strerror((int)-r));
	bpf_object__close(libbpf_get_error(obj) ? NULL : obj);
	libbpf_set_print(old);
	return (int)r;
}
