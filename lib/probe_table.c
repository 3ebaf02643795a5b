// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The probe recipes, indexed by the kernel's enum values (UAPI, stable).
 * Facts from kernel/bpf/syscall.c (map_create, bpf_prog_load,
 * bpf_prog_load_check_attach, is_net_admin_prog_type,
 * is_perfmon_prog_type) and the per-type map_alloc_check functions, checked
 * on a 6.18 kernel.
 */
#include <stddef.h>

#include "compat.h"
#include "internal.h"
#include "probe_table.h"

/* clang-format off: one table row per line reads better */
#define CAP_B BPFD_PCAP_BPF
#define CAP_N (BPFD_PCAP_BPF | BPFD_PCAP_NET_ADMIN)
#define CAP_P (BPFD_PCAP_BPF | BPFD_PCAP_PERFMON)

#define MAP(n, k, v, m)                                                        \
	.name = n, .key_size = k, .value_size = v, .max_entries = m

/*
 * unpriv: the "unprivileged" case list of map_create(); with
 * kernel.unprivileged_bpf_disabled = 0 anyone may create these without a
 * token, so a success proves nothing about the token.
 */
static const struct bpfd_map_recipe map_recipes[] = {
    [1] = {MAP("hash", 4, 4, 1), .caps = CAP_B, .unpriv = true},
    [2] = {MAP("array", 4, 4, 1), .caps = CAP_B, .unpriv = true},
    [3] = {MAP("prog_array", 4, 4, 1), .caps = CAP_B, .unpriv = true},
    [4] = {MAP("perf_event_array", 4, 4, 1), .caps = CAP_B, .unpriv = true},
    [5] = {MAP("percpu_hash", 4, 4, 1), .caps = CAP_B, .unpriv = true},
    [6] = {MAP("percpu_array", 4, 4, 1), .caps = CAP_B, .unpriv = true},
    /* value = up to 127 u64 instruction pointers */
    [7] = {MAP("stack_trace", 4, 8, 1), .caps = CAP_B},
    [8] = {MAP("cgroup_array", 4, 4, 1), .caps = CAP_B, .unpriv = true},
    /* LRU lists are per CPU: give each a few entries */
    [9] = {MAP("lru_hash", 4, 4, 16), .caps = CAP_B},
    [10] = {MAP("lru_percpu_hash", 4, 4, 16), .caps = CAP_B},
    /* key = u32 prefixlen + 4 data bytes; trie_alloc requires NO_PREALLOC */
    [11] = {MAP("lpm_trie", 8, 4, 1), .flags = BPF_F_NO_PREALLOC,
	    .caps = CAP_B},
    [12] = {MAP("array_of_maps", 4, 4, 1), .need = BPFD_NEED_INNER_MAP,
	    .caps = CAP_B, .unpriv = true},
    [13] = {MAP("hash_of_maps", 4, 4, 1), .need = BPFD_NEED_INNER_MAP,
	    .caps = CAP_B, .unpriv = true},
    [14] = {MAP("devmap", 4, 4, 1), .caps = CAP_N},
    [15] = {MAP("sockmap", 4, 4, 1), .caps = CAP_N},
    /* value = struct bpf_cpumap_val up to qsize */
    [16] = {MAP("cpumap", 4, 4, 1), .caps = CAP_B},
    [17] = {MAP("xskmap", 4, 4, 1), .caps = CAP_N},
    [18] = {MAP("sockhash", 4, 4, 1), .caps = CAP_N},
    /* key = u64 cgroup inode id; max_entries must be 0 */
    [19] = {MAP("cgroup_storage", 8, 4, 0), .caps = CAP_B, .unpriv = true},
    [20] = {MAP("reuseport_sockarray", 4, 4, 1), .caps = CAP_B},
    [21] = {MAP("percpu_cgroup_storage", 8, 4, 0), .caps = CAP_B,
	    .unpriv = true},
    [22] = {MAP("queue", 0, 4, 1), .caps = CAP_B},
    [23] = {MAP("stack", 0, 4, 1), .caps = CAP_B},
    /* local storage: key int fd, BTF key/value ids, NO_PREALLOC, n = 0 */
    [24] = {MAP("sk_storage", 4, 4, 0), .flags = BPF_F_NO_PREALLOC,
	    .need = BPFD_NEED_BTF, .caps = CAP_B},
    [25] = {MAP("devmap_hash", 4, 4, 1), .caps = CAP_N},
    [26] = {.name = "struct_ops",
	    .caps = CAP_B,
	    .untestable = "needs the BTF of a kernel struct_ops type"},
    /* max_entries = data size: a power-of-2 multiple of the page size */
    [27] = {MAP("ringbuf", 0, 0, 0), .need = BPFD_NEED_PAGES, .caps = CAP_B,
	    .unpriv = true},
    [28] = {MAP("inode_storage", 4, 4, 0), .flags = BPF_F_NO_PREALLOC,
	    .need = BPFD_NEED_BTF, .caps = CAP_B},
    [29] = {MAP("task_storage", 4, 4, 0), .flags = BPF_F_NO_PREALLOC,
	    .need = BPFD_NEED_BTF, .caps = CAP_B},
    /* map_extra = number of hash functions (0..15) */
    [30] = {MAP("bloom_filter", 0, 4, 1), .map_extra = 3, .caps = CAP_B},
    [31] = {MAP("user_ringbuf", 0, 0, 0), .need = BPFD_NEED_PAGES,
	    .caps = CAP_B, .unpriv = true},
    [32] = {MAP("cgrp_storage", 4, 4, 0), .flags = BPF_F_NO_PREALLOC,
	    .need = BPFD_NEED_BTF, .caps = CAP_B},
    /* max_entries = pages; map_extra = user address (0: any) */
    [33] = {MAP("arena", 0, 0, 1), .flags = BPF_F_MMAPABLE, .caps = CAP_B},
};

/*
 * eat: what libbpf loads the type with.  bpf_prog_load_fixup_attach_type()
 * turns eat 0 into cgroup_inet_sock_create for cgroup_sock and into
 * sk_reuseport_select for sk_reuseport *before* the token check, so those
 * need that attach bit, not bit 0: give it explicitly.
 * attach: the attach types bpf_prog_load_check_attach() (or libbpf's
 * section names) pairs with the type; the attach probes load with them.
 */
static const struct bpfd_prog_recipe prog_recipes[] = {
    [1] = {.name = "socket_filter", .caps = CAP_B, .unpriv = true},
    /* kprobe_multi, uprobe_multi, kprobe_session, uprobe_session */
    [2] = {.name = "kprobe", .caps = CAP_P, ATT(42, 48, 56, 57)},
    /* tcx_ingress, tcx_egress, netkit_primary, netkit_peer */
    [3] = {.name = "sched_cls", .caps = CAP_N, ATT(46, 47, 54, 55)},
    [4] = {.name = "sched_act", .caps = CAP_N},
    [5] = {.name = "tracepoint", .caps = CAP_P},
    /* xdp, xdp_devmap, xdp_cpumap */
    [6] = {.name = "xdp", .eat = 37, .caps = CAP_N, ATT(37, 33, 35)},
    [7] = {.name = "perf_event", .caps = CAP_P},
    /* cgroup_inet_ingress, cgroup_inet_egress */
    [8] = {.name = "cgroup_skb", .caps = CAP_B, .unpriv = true, ATT(0, 1)},
    /* inet_sock_create, inet_sock_release, inet4/6_post_bind */
    [9] = {.name = "cgroup_sock", .eat = 2, .caps = CAP_N, ATT(2, 34, 12, 13)},
    [10] = {.name = "lwt_in", .caps = CAP_N},
    [11] = {.name = "lwt_out", .caps = CAP_N},
    [12] = {.name = "lwt_xmit", .caps = CAP_N},
    [13] = {.name = "sock_ops", .eat = 3, .caps = CAP_N, ATT(3)},
    /* stream_parser, stream_verdict, sk_skb_verdict */
    [14] = {.name = "sk_skb", .eat = 4, .caps = CAP_N, ATT(4, 5, 38)},
    [15] = {.name = "cgroup_device", .eat = 6, .caps = CAP_N, ATT(6)},
    [16] = {.name = "sk_msg", .eat = 7, .caps = CAP_N, ATT(7)},
    [17] = {.name = "raw_tracepoint", .caps = CAP_P},
    /*
     * inet4/6 bind, connect, udp4/6 sendmsg, recvmsg, inet4/6
     * getpeername, getsockname, unix connect, sendmsg, recvmsg,
     * getpeername, getsockname.  r0 = 1: getpeername/getsockname and
     * recvmsg only accept 1 (check_return_code).
     */
    [18] = {.name = "cgroup_sock_addr",
	    .eat = 8,
	    .ret = 1,
	    .caps = CAP_N,
	    ATT(8, 9, 10, 11, 14, 15, 19, 20, 29, 30, 31, 32, 49, 50, 51, 52,
		53)},
    [19] = {.name = "lwt_seg6local", .caps = CAP_N},
    [20] = {.name = "lirc_mode2", .eat = 16, .caps = CAP_B, ATT(16)},
    /* sk_reuseport_select, sk_reuseport_select_or_migrate */
    [21] = {.name = "sk_reuseport", .eat = 39, .caps = CAP_B, ATT(39, 40)},
    [22] = {.name = "flow_dissector", .eat = 17, .caps = CAP_N, ATT(17)},
    [23] = {.name = "cgroup_sysctl", .eat = 18, .caps = CAP_N, ATT(18)},
    [24] = {.name = "raw_tracepoint_writable", .caps = CAP_P},
    /* cgroup_getsockopt, cgroup_setsockopt */
    [25] = {.name = "cgroup_sockopt", .eat = 21, .caps = CAP_N, ATT(21, 22)},
    /* trace_raw_tp, fentry, fexit, modify_return, trace_iter */
    [26] = {.name = "tracing",
	    .caps = CAP_P,
	    .untestable = "needs a BTF target (attach_btf_id)",
	    ATT(23, 24, 25, 26, 28)},
    [27] = {.name = "struct_ops",
	    .caps = CAP_P,
	    .untestable = "needs a kernel struct_ops type in BTF",
	    ATT(44)},
    [28] = {.name = "ext",
	    .caps = CAP_P | BPFD_PCAP_NET_ADMIN,
	    .untestable = "needs a target program to extend"},
    /* lsm_mac, lsm_cgroup */
    [29] = {.name = "lsm",
	    .caps = CAP_P,
	    .untestable = "needs a BTF target (an LSM hook)",
	    ATT(27, 43)},
    [30] = {.name = "sk_lookup", .eat = 36, .caps = CAP_B, ATT(36)},
    /* the verifier accepts syscall programs only sleepable */
    [31] = {.name = "syscall", .flags = BPF_F_SLEEPABLE, .caps = CAP_B},
    [32] = {.name = "netfilter", .eat = 45, .caps = CAP_N, ATT(45)},
};

/* clang-format on */

const struct bpfd_map_recipe *bpfd_probe_map_recipe(uint32_t type)
{
	if (type >= ARRAY_SIZE(map_recipes) || !map_recipes[type].name)
		return NULL;
	return &map_recipes[type];
}

const struct bpfd_prog_recipe *bpfd_probe_prog_recipe(uint32_t type)
{
	if (type >= ARRAY_SIZE(prog_recipes) || !prog_recipes[type].name)
		return NULL;
	return &prog_recipes[type];
}

const struct bpfd_prog_recipe *
bpfd_probe_attach_prog(uint32_t attach, uint32_t *prog_type, const char **why)
{
	for (uint32_t t = 0; t < ARRAY_SIZE(prog_recipes); t++) {
		const struct bpfd_prog_recipe *r = &prog_recipes[t];

		for (unsigned int i = 0; r->name && i < r->nattach; i++) {
			if (r->attach[i] != attach)
				continue;
			if (r->untestable) {
				*why = r->untestable;
				return NULL;
			}
			*prog_type = t;
			return r;
		}
	}
	/* BPF_PERF_EVENT is only a link_create attach type. */
	*why = attach == 41
		   ? "a link attach type: no program is loaded with it"
		   : "no program type in bpfdelegate is loaded with it";
	return NULL;
}

unsigned int bpfd_probe_cmd_caps(uint32_t cmd)
{
	switch (cmd) {
	case BPFD_CMD_MAP_CREATE:
	case BPFD_CMD_PROG_LOAD:
	case BPFD_CMD_BTF_LOAD:
		return BPFD_PCAP_BPF;
	case BPFD_CMD_BTF_GET_FD_BY_ID:
		return BPFD_PCAP_SYS_ADMIN;
	default:
		return 0;
	}
}
