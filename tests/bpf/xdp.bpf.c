// SPDX-License-Identifier: GPL-2.0
/* suggest's test object: one XDP program and an array map, no global
 * data.  Expected (tests/unit/test_objneeds.c, tests/cli/suggest.bats):
 * map_create:prog_load:btf_load, array, xdp + socket_filter (libbpf's
 * first load), attach bit 0 only (libbpf loads SEC("xdp") with
 * expected_attach_type 0 when its cgroup_sock probe fails). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} xdp_seen SEC(".maps");

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	__u32 k = 0;
	__u64 *v = bpf_map_lookup_elem(&xdp_seen, &k);

	if (v)
		__sync_fetch_and_add(v, 1);
	return XDP_PASS;
}
