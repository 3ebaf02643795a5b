// SPDX-License-Identifier: GPL-2.0
/* The BPF object of the real-libbpf-client test (tests/cli/libbpf.bats):
 * a hash and an array map, .rodata and .bss, and one program of each kind
 * a tracing or XDP user loads.  Built with clang -target bpf against
 * Debian trixie's libbpf 1.5 headers and the system's UAPI headers (no
 * vmlinux.h). */
#include <linux/bpf.h>
#include <asm/unistd.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* tgid -> getppid() calls seen by the raw tracepoint */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} calls SEC(".maps");

/* [0] the magic from .rodata, written by the raw tracepoint;
 * [1] packets seen by the socket filter; [2] by XDP */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

/* .rodata: set by the loader before bpf_object__load() */
const volatile __u64 magic = 0;

/* .bss */
__u64 raw_tp_hits = 0;
__u64 tp_hits = 0;

static void bump(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&counts, &slot);

	if (v)
		__sync_fetch_and_add(v, 1);
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int tp_getppid(void *ctx)
{
	__sync_fetch_and_add(&tp_hits, 1);
	return 0;
}

SEC("raw_tp/sys_enter")
int raw_sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 tgid, zero = 0;
	__u64 one = 1, m = magic, *n;

	if (ctx->args[1] != __NR_getppid)
		return 0;
	__sync_fetch_and_add(&raw_tp_hits, 1);
	bpf_map_update_elem(&counts, &zero, &m, BPF_ANY);
	tgid = bpf_get_current_pid_tgid() >> 32;
	n = bpf_map_lookup_elem(&calls, &tgid);
	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&calls, &tgid, &one, BPF_NOEXIST);
	return 0;
}

SEC("socket")
int sock_filter(struct __sk_buff *skb)
{
	bump(1);
	return skb->len;
}

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	bump(2);
	return XDP_PASS;
}
