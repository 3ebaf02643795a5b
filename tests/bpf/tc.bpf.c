// SPDX-License-Identifier: GPL-2.0
/* suggest's test object: a legacy SEC("tc") classifier (attach type 0)
 * and a SEC("tcx/ingress") one, a section Debian 12's libbpf 1.1 does not
 * know (libbpf 1.5: sched_cls with tcx_ingress), and a hash map. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} tc_lens SEC(".maps");

SEC("tc")
int tc_legacy(struct __sk_buff *skb)
{
	__u32 k = skb->len & 15;
	__u64 one = 1;

	bpf_map_update_elem(&tc_lens, &k, &one, BPF_ANY);
	return TC_ACT_OK;
}

SEC("tcx/ingress")
int tcx_in(struct __sk_buff *skb)
{
	return TC_ACT_OK;
}
