// SPDX-License-Identifier: GPL-2.0
/* suggest's test object: a tracepoint, a raw tracepoint and a kprobe,
 * a ring buffer and global data (.bss), so libbpf's global data probe
 * (a socket filter with an array map) is needed too. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

__u64 hits = 0;

SEC("tracepoint/syscalls/sys_enter_getppid")
int tp_ppid(void *ctx)
{
	__u64 *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (e) {
		*e = ++hits;
		bpf_ringbuf_submit(e, 0);
	}
	return 0;
}

SEC("raw_tp/sys_enter")
int raw_enter(struct bpf_raw_tracepoint_args *ctx)
{
	__sync_fetch_and_add(&hits, 1);
	return 0;
}

SEC("kprobe/do_nanosleep")
int kp_sleep(void *ctx)
{
	return 0;
}
