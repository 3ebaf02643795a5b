// SPDX-License-Identifier: GPL-2.0
/* suggest's test object, built without -g: no BTF (so no BTF-defined
 * maps either), one socket filter: prog_load, socket_filter, attach 0. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("socket")
int sock_plain(struct __sk_buff *skb)
{
	return skb->len;
}
