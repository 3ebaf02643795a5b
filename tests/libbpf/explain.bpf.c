// SPDX-License-Identifier: GPL-2.0
/* A second object for tests/cli/explain.bats: what client.bpf.o lacks to
 * make libbpf print its other load and attach failures under a narrow
 * delegation: a map-in-map (libbpf creates the inner map first) and a
 * kprobe (attached through perf_event_open). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct inner {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner);
} outer SEC(".maps");

/* the client sets .rodata before the load */
const volatile __u64 magic = 0;

SEC("kprobe/do_nanosleep")
int kp_nanosleep(void *ctx)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&outer, &zero) != 0 && magic;
}
