// SPDX-License-Identifier: GPL-2.0
/* suggest's test object: cgroup programs.  cgroup/sock_create delegates
 * cgroup_sock + cgroup_inet_sock_create, which makes libbpf's
 * expected-attach-type probe pass, so cgroup_skb/egress is then loaded
 * with cgroup_inet_egress (not 0); cgroup/connect4 is cgroup_sock_addr
 * with cgroup_inet4_connect.  No maps. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

SEC("cgroup_skb/egress")
int skb_egress(struct __sk_buff *skb)
{
	return 1;
}

SEC("cgroup/sock_create")
int sock_create(struct bpf_sock *sk)
{
	return 1;
}

SEC("cgroup/connect4")
int connect4(struct bpf_sock_addr *ctx)
{
	return 1;
}
