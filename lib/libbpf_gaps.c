// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What a libbpf loader needs from a delegation whatever its object holds
 * (libbpf 1.5, seen under bpfdelegate run: tests/cli/check.bats), and the
 * capabilities program types need besides CAP_BPF.
 */
#include <linux/capability.h>

#include <bpfdelegate/loadmsg.h>

#include "internal.h"

/* UAPI numbers: enum bpf_cmd, bpf_map_type, bpf_prog_type. */
enum { CMD_MAP_CREATE = 0, CMD_PROG_LOAD = 5, CMD_BTF_LOAD = 18 };
enum { MAP_ARRAY = 2 };
enum {
	PROG_SOCKET_FILTER = 1,
	PROG_KPROBE,
	PROG_SCHED_CLS,
	PROG_SCHED_ACT,
	PROG_TRACEPOINT,
	PROG_XDP,
	PROG_PERF_EVENT,
	PROG_CGROUP_SKB,
	PROG_CGROUP_SOCK,
	PROG_LWT_IN,
	PROG_LWT_OUT,
	PROG_LWT_XMIT,
	PROG_SOCK_OPS,
	PROG_SK_SKB,
	PROG_CGROUP_DEVICE,
	PROG_SK_MSG,
	PROG_RAW_TRACEPOINT,
	PROG_CGROUP_SOCK_ADDR,
	PROG_LWT_SEG6LOCAL,
	PROG_LIRC_MODE2,
	PROG_SK_REUSEPORT,
	PROG_FLOW_DISSECTOR,
	PROG_CGROUP_SYSCTL,
	PROG_RAW_TRACEPOINT_WRITABLE,
	PROG_CGROUP_SOCKOPT,
	PROG_TRACING,
	PROG_STRUCT_OPS,
	PROG_EXT,
	PROG_LSM,
	PROG_SK_LOOKUP,
	PROG_SYSCALL,
	PROG_NETFILTER,
};

#define BIT(n) (1ULL << (n))

uint64_t bpfd_progs_needing_cap(int cap)
{
	/* kernel/bpf/syscall.c, is_net_admin_prog_type() */
	if (cap == CAP_NET_ADMIN)
		return BIT(PROG_SCHED_CLS) | BIT(PROG_SCHED_ACT) |
		       BIT(PROG_XDP) | BIT(PROG_LWT_IN) | BIT(PROG_LWT_OUT) |
		       BIT(PROG_LWT_XMIT) | BIT(PROG_LWT_SEG6LOCAL) |
		       BIT(PROG_SK_SKB) | BIT(PROG_SK_MSG) |
		       BIT(PROG_FLOW_DISSECTOR) | BIT(PROG_CGROUP_DEVICE) |
		       BIT(PROG_CGROUP_SOCK) | BIT(PROG_CGROUP_SOCK_ADDR) |
		       BIT(PROG_CGROUP_SOCKOPT) | BIT(PROG_CGROUP_SYSCTL) |
		       BIT(PROG_SOCK_OPS) | BIT(PROG_EXT) | BIT(PROG_NETFILTER);
	/* is_perfmon_prog_type() */
	if (cap == CAP_PERFMON)
		return BIT(PROG_KPROBE) | BIT(PROG_TRACEPOINT) |
		       BIT(PROG_PERF_EVENT) | BIT(PROG_RAW_TRACEPOINT) |
		       BIT(PROG_RAW_TRACEPOINT_WRITABLE) | BIT(PROG_TRACING) |
		       BIT(PROG_LSM) | BIT(PROG_STRUCT_OPS) | BIT(PROG_EXT);
	return 0;
}

static void add(struct bpfd_libbpf_gap *out, size_t max, size_t *n,
		const struct bpfd_libbpf_gap *g)
{
	if (*n < max)
		out[*n] = *g;
	(*n)++;
}

size_t bpfd_libbpf_gaps(const struct bpfd_delegation *d,
			struct bpfd_libbpf_gap *out, size_t max)
{
	const uint64_t *m = d->mask;
	bool prog_load = m[BPFD_CMDS] & BIT(CMD_PROG_LOAD);
	bool map_create = m[BPFD_CMDS] & BIT(CMD_MAP_CREATE);
	size_t n = 0;

	/* what the delegation is for: the missing command is one gap, and
	 * what libbpf needs once it is added are the next ones */
	prog_load = prog_load || m[BPFD_PROGS] || m[BPFD_ATTACHS];
	map_create = map_create || m[BPFD_MAPS];

	if (!(m[BPFD_CMDS] & BIT(CMD_PROG_LOAD)) &&
	    (m[BPFD_PROGS] || m[BPFD_ATTACHS]))
		add(out, max, &n,
		    &(struct bpfd_libbpf_gap){
			"prog-load", BPFD_CMDS, BIT(CMD_PROG_LOAD),
			"--cmds prog_load",
			"program and attach types are delegated, but not the "
			"prog_load command: no program loads with the token"});
	if (!(m[BPFD_CMDS] & BIT(CMD_MAP_CREATE)) && m[BPFD_MAPS])
		add(out, max, &n,
		    &(struct bpfd_libbpf_gap){
			"map-create", BPFD_CMDS, BIT(CMD_MAP_CREATE),
			"--cmds map_create",
			"map types are delegated, but not the map_create "
			"command: no map is created with the token"});
	if (prog_load && !(m[BPFD_ATTACHS] & 1))
		add(out, max, &n,
		    &(struct bpfd_libbpf_gap){
			"attach-zero", BPFD_ATTACHS, 1,
			"--attachs cgroup_inet_ingress",
			"libbpf's first probe loads a program with "
			"expected_attach_type 0 (attach bit 0, "
			"cgroup_inet_ingress): without it, \"Couldn't load "
			"trivial BPF program\" and nothing loads"});
	if (prog_load &&
	    !(m[BPFD_PROGS] & (BIT(PROG_SOCKET_FILTER) | BIT(PROG_TRACEPOINT))))
		add(out, max, &n,
		    &(struct bpfd_libbpf_gap){
			"probe-prog-type", BPFD_PROGS,
			BIT(PROG_SOCKET_FILTER) | BIT(PROG_TRACEPOINT),
			"--progs socket_filter",
			"libbpf's first probe loads a socket_filter program, "
			"else a tracepoint one: without either, \"Couldn't "
			"load trivial BPF program\" and nothing loads"});
	if ((prog_load || map_create) && !(m[BPFD_CMDS] & BIT(CMD_BTF_LOAD)))
		add(out, max, &n,
		    &(struct bpfd_libbpf_gap){
			"btf-load", BPFD_CMDS, BIT(CMD_BTF_LOAD),
			"--cmds btf_load",
			"without btf_load libbpf loads objects without their "
			"BTF (its BTF probes fail): what needs the object's "
			"BTF in the kernel (a map with a bpf_spin_lock, for "
			"one) cannot load"});
	if (map_create && !(m[BPFD_MAPS] & BIT(MAP_ARRAY)))
		add(out, max, &n,
		    &(struct bpfd_libbpf_gap){
			"array", BPFD_MAPS, BIT(MAP_ARRAY), "--maps array",
			"libbpf keeps global data (.data, .rodata, .bss) in "
			"array maps and probes for them with one"});
	return n;
}
