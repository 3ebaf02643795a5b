// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The LIST syntax of the four delegate masks, and presets.
 *
 * Unlike the kernel's bpf_parse_param(), where a number replaces the mask
 * built so far, items here always add up; the result goes to the kernel as
 * one hex number per option, so the kernel's rule never applies.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <bpfdelegate/delegation.h>

#include "btf_enums.h"
#include "internal.h"
#include "quote.h"

/* How an item of each kind is called in messages. */
static const char *const nouns[BPFD_NKINDS] = {
    [BPFD_CMDS] = "command",
    [BPFD_MAPS] = "map type",
    [BPFD_PROGS] = "program type",
    [BPFD_ATTACHS] = "attach type",
};

static int parse_number(const char *w, uint64_t *acc, struct bpfd_error *err)
{
	unsigned long long v;
	char *end, q[80];

	/* strtoull() would take "-1" as UINT64_MAX and skip blanks */
	if (!isdigit((unsigned char)w[0]))
		return bpfd_error_set(err, BPFD_STEP_PARSE, EINVAL,
				      "invalid number %s",
				      bpfd_quote(q, sizeof(q), w));
	errno = 0;
	v = strtoull(w, &end, 0);
	if (errno == ERANGE)
		return bpfd_error_set(err, BPFD_STEP_PARSE, EINVAL,
				      "number %s out of range (64 bits)",
				      bpfd_quote(q, sizeof(q), w));
	if (errno || *end)
		return bpfd_error_set(err, BPFD_STEP_PARSE, EINVAL,
				      "invalid number %s",
				      bpfd_quote(q, sizeof(q), w));
	*acc |= (uint64_t)v;
	return 0;
}

static int unknown_name(const struct bpfd_names *names, enum bpfd_kind kind,
			const char *w, struct bpfd_error *err)
{
	char near[160], q[80];

	bpfd_quote(q, sizeof(q), w);
	if (bpfd_names_suggest(names, kind, w, 3, near, sizeof(near)) > 0)
		return bpfd_error_set(err, BPFD_STEP_PARSE, EINVAL,
				      "unknown %s %s (closest: %s)",
				      nouns[kind], q, near);
	return bpfd_error_set(err, BPFD_STEP_PARSE, EINVAL, "unknown %s %s",
			      nouns[kind], q);
}

static int parse_item(const struct bpfd_names *names, enum bpfd_kind kind,
		      const char *list, const char *item, size_t len,
		      uint64_t *acc, struct bpfd_error *err)
{
	char w[BPFD_ENUM_NAME_MAX], q[128];
	int v;

	while (len && isblank((unsigned char)*item)) {
		item++;
		len--;
	}
	while (len && isblank((unsigned char)item[len - 1]))
		len--;
	if (!len)
		return bpfd_error_set(err, BPFD_STEP_PARSE, EINVAL,
				      "empty item in %s list %s", nouns[kind],
				      bpfd_quote(q, sizeof(q), list));
	if (len >= sizeof(w))
		return bpfd_error_set(err, BPFD_STEP_PARSE, EINVAL,
				      "item too long: %s",
				      bpfd_quote_mem(q, 48, item, len));
	memcpy(w, item, len);
	w[len] = '\0';
	if (strcasecmp(w, "any") == 0) {
		*acc = BPFD_MASK_ANY;
		return 0;
	}
	if (isdigit((unsigned char)w[0]) || w[0] == '-' || w[0] == '+')
		return parse_number(w, acc, err);
	v = bpfd_names_lookup(names, kind, w);
	if (v < 0)
		return unknown_name(names, kind, w, err);
	*acc |= 1ULL << v;
	return 0;
}

int bpfd_parse_list(const struct bpfd_names *names, enum bpfd_kind kind,
		    const char *list, uint64_t *mask, struct bpfd_error *err)
{
	uint64_t acc = 0;
	const char *p = list;

	if ((unsigned int)kind >= BPFD_NKINDS || !list || !mask)
		return bpfd_error_set(err, BPFD_STEP_ARGS, EINVAL,
				      "parse list: bad arguments");
	for (;;) {
		size_t n = strcspn(p, ":,");
		int r = parse_item(names, kind, list, p, n, &acc, err);

		if (r < 0)
			return r; /* *mask untouched */
		if (!p[n])
			break;
		p += n + 1;
	}
	*mask |= acc;
	return 0;
}

struct out {
	char *buf;
	size_t len, need;
};

static void put(struct out *o, const char *s)
{
	size_t n = strlen(s);

	if (o->need < o->len) {
		size_t room = o->len - o->need - 1;

		memcpy(o->buf + o->need, s, n < room ? n : room);
		o->buf[o->need + (n < room ? n : room)] = '\0';
	}
	o->need += n;
}

int bpfd_format_list(const struct bpfd_names *names, enum bpfd_kind kind,
		     uint64_t mask, char *buf, size_t len)
{
	struct out o = {.buf = buf, .len = buf ? len : 0};
	uint64_t rest = 0;
	char hex[24];

	if (o.len)
		buf[0] = '\0';
	if (mask == BPFD_MASK_ANY) {
		put(&o, "any");
		return (int)o.need;
	}
	for (unsigned int v = 0; v < 64; v++) {
		const char *name;

		if (!(mask & (1ULL << v)))
			continue;
		name = bpfd_names_get(names, kind, v);
		if (!name) {
			rest |= 1ULL << v;
			continue;
		}
		if (o.need)
			put(&o, ":");
		put(&o, name);
	}
	if (rest) {
		snprintf(hex, sizeof(hex), "%s0x%" PRIx64, o.need ? ":" : "",
			 rest);
		put(&o, hex);
	}
	return (int)o.need;
}

/*
 * Commands that consult a token: map_create, prog_load, btf_load and, only
 * from Linux 6.15, btf_get_fd_by_id.  6.9 to 6.14 know the name (so the
 * bpffs accepts it in delegate_cmds) but fail a btf_get_fd_by_id that
 * passes a token with EINVAL: there it is delegated and grants nothing,
 * as the probe says ("takes no token").  Others (lookups, attach, links)
 * never look at one, so delegating them grants nothing.
 */
#define CMDS_LOAD "map_create:prog_load:btf_load:btf_get_fd_by_id"

/*
 * What libbpf needs besides the program itself: its feature probes go
 * through the token.  The global-data probe (an array map plus a
 * socket_filter program) decides whether .data/.rodata/.bss can be used at
 * all, and every program loaded with expected_attach_type 0 (kprobe,
 * tracepoint, tc, socket_filter, and xdp when the probe for
 * expected_attach_type, a cgroup_sock program, fails) needs attach bit 0,
 * cgroup_inet_ingress: the kernel checks the attach type as given.
 */
#define PROGS_LIBBPF "socket_filter"
#define MAPS_LIBBPF "array"
#define ATTACH_ZERO "cgroup_inet_ingress"

#define MAPS_COMMON                                                            \
	MAPS_LIBBPF ":hash:percpu_array:percpu_hash:lru_hash:lru_percpu_hash"  \
		    ":ringbuf:perf_event_array"

static const struct bpfd_preset presets[] = {
    {"all",
     "everything (any x4): e.g. raw tracepoints that read kernel memory "
     "and see every process; XDP/tcx on every interface COMMAND can reach",
     {"any", "any", "any", "any"}},
    {"xdp",
     "XDP programs, with devmap/cpumap/xskmap redirects",
     {CMDS_LOAD,
      MAPS_COMMON ":lpm_trie:prog_array:devmap:devmap_hash:cpumap:xskmap",
      "xdp:" PROGS_LIBBPF,
      /* SEC("xdp") is loaded with BPF_XDP, or 0 when libbpf's probe
       * for expected_attach_type failed; xdp/devmap, xdp/cpumap */
      ATTACH_ZERO ":xdp:xdp_devmap:xdp_cpumap"}},
    {"tc",
     "tc classifiers and actions, classic and tcx",
     {CMDS_LOAD, MAPS_COMMON ":lpm_trie:prog_array:sk_storage",
      "sched_cls:sched_act:" PROGS_LIBBPF,
      /* SEC("tc") loads with 0; SEC("tcx/ingress") with tcx_ingress */
      ATTACH_ZERO ":tcx_ingress:tcx_egress"}},
    {"socket-filter",
     "socket filters (SO_ATTACH_BPF)",
     {CMDS_LOAD, MAPS_COMMON, PROGS_LIBBPF, ATTACH_ZERO}},
    {"cgroup",
     "cgroup programs: skb, sock, sock_addr, sockopt, sysctl, "
     "device",
     {CMDS_LOAD,
      MAPS_COMMON ":cgroup_storage:percpu_cgroup_storage:cgrp_storage"
		  ":sk_storage",
      "cgroup_skb:cgroup_sock:cgroup_sock_addr:cgroup_sockopt"
      ":cgroup_sysctl:cgroup_device:" PROGS_LIBBPF,
      /* the kernel turns 0 into cgroup_inet_sock_create for
       * cgroup_sock before the token check */
      ATTACH_ZERO ":cgroup_inet_egress:cgroup_inet_sock_create"
		  ":cgroup_inet_sock_release:cgroup_inet4_post_bind"
		  ":cgroup_inet6_post_bind:cgroup_inet4_bind"
		  ":cgroup_inet6_bind:cgroup_inet4_connect"
		  ":cgroup_inet6_connect:cgroup_udp4_sendmsg"
		  ":cgroup_udp6_sendmsg:cgroup_udp4_recvmsg"
		  ":cgroup_udp6_recvmsg:cgroup_inet4_getpeername"
		  ":cgroup_inet6_getpeername:cgroup_inet4_getsockname"
		  ":cgroup_inet6_getsockname:cgroup_unix_connect"
		  ":cgroup_unix_sendmsg:cgroup_unix_recvmsg"
		  ":cgroup_unix_getpeername:cgroup_unix_getsockname"
		  ":cgroup_getsockopt:cgroup_setsockopt:cgroup_sysctl"
		  ":cgroup_device"}},
    {"tracing",
     /* A token holder's attach of kprobe, tracepoint and perf_event
      * programs goes through tracefs and perf_event_open(), which need
      * the initial namespace (tests/cli/explain.bats): they load, and only
      * raw tracepoints attach (BPF_RAW_TRACEPOINT_OPEN). */
     "tracing programs: raw tracepoints load and attach; kprobe, "
     "tracepoint and perf_event programs only load (attaching them needs "
     "perf_event_open and tracefs of the host: no token grants that)",
     {CMDS_LOAD, MAPS_COMMON ":stack_trace",
      "kprobe:tracepoint:raw_tracepoint:perf_event:" PROGS_LIBBPF,
      /* all load with 0 but kprobe.multi / uprobe.multi */
      ATTACH_ZERO ":trace_kprobe_multi:trace_uprobe_multi"}},
    {NULL, NULL, {NULL}},
};

const struct bpfd_preset *bpfd_presets(void)
{
	return presets;
}

/* Case-insensitive; '-' and '_' are the same ("socket_filter"). */
static bool preset_eq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = *a == '_' ? '-' : (char)tolower((unsigned char)*a);
		char y = *b == '_' ? '-' : (char)tolower((unsigned char)*b);

		if (x != y)
			return false;
	}
	return *a == *b;
}

const struct bpfd_preset *bpfd_preset_find(const char *name)
{
	for (const struct bpfd_preset *p = presets; name && p->name; p++)
		if (preset_eq(p->name, name))
			return p;
	return NULL;
}

int bpfd_preset_apply(const struct bpfd_names *names, const char *name,
		      struct bpfd_delegation *d, struct bpfd_error *err)
{
	const struct bpfd_preset *p = bpfd_preset_find(name);
	struct bpfd_delegation add = {{0}};
	char all[128] = "";
	size_t used = 0;

	if (!d)
		return bpfd_error_set(err, BPFD_STEP_ARGS, EINVAL,
				      "preset: no delegation");
	if (!p) {
		for (const struct bpfd_preset *q = presets;
		     q->name && used < sizeof(all); q++)
			used +=
			    (size_t)snprintf(all + used, sizeof(all) - used,
					     "%s%s", used ? ", " : "", q->name);
		char q[80];

		return bpfd_error_set(err, BPFD_STEP_PARSE, ENOENT,
				      "unknown preset %s (presets: %s)",
				      bpfd_quote(q, sizeof(q), name), all);
	}
	for (int k = 0; k < BPFD_NKINDS; k++) {
		int r;

		if (!p->list[k])
			continue;
		r = bpfd_parse_list(names, (enum bpfd_kind)k, p->list[k],
				    &add.mask[k], err);
		if (r < 0)
			return r;
	}
	for (int k = 0; k < BPFD_NKINDS; k++)
		d->mask[k] |= add.mask[k];
	return 0;
}

/* Each item of @list alone: the ones @names lacks go to @skipped. */
static int apply_known_list(const struct bpfd_names *names, enum bpfd_kind k,
			    const char *list, uint64_t *mask, char *skipped,
			    size_t len)
{
	const char *p = list;
	int n = 0;

	for (;;) {
		size_t w = strcspn(p, ":");
		char item[BPFD_ENUM_NAME_MAX];

		if (w && w < sizeof(item)) {
			memcpy(item, p, w);
			item[w] = '\0';
			if (bpfd_parse_list(names, k, item, mask, NULL) < 0) {
				size_t used = strlen(skipped);

				snprintf(skipped + used, len - used, "%s%s",
					 used ? ":" : "", item);
				n++;
			}
		}
		if (!p[w])
			return n;
		p += w + 1;
	}
}

int bpfd_preset_apply_known(const struct bpfd_names *names, const char *name,
			    struct bpfd_delegation *d,
			    struct bpfd_preset_skipped *skipped,
			    struct bpfd_error *err)
{
	struct bpfd_preset_skipped none;
	struct bpfd_delegation add = {{0}};
	const struct bpfd_preset *p;
	int n = 0;

	if (!skipped)
		skipped = &none;
	memset(skipped, 0, sizeof(*skipped));
	if (!d)
		return bpfd_error_set(err, BPFD_STEP_ARGS, EINVAL,
				      "preset: no delegation");
	p = bpfd_preset_find(name);
	if (!p)
		return bpfd_preset_apply(names, name, d, err); /* -ENOENT */
	for (int k = 0; k < BPFD_NKINDS; k++)
		if (p->list[k])
			n += apply_known_list(
			    names, (enum bpfd_kind)k, p->list[k], &add.mask[k],
			    skipped->list[k], sizeof(skipped->list[k]));
	for (int k = 0; k < BPFD_NKINDS; k++)
		d->mask[k] |= add.mask[k];
	return n;
}

bool bpfd_delegation_none(const struct bpfd_delegation *d)
{
	for (int k = 0; k < BPFD_NKINDS; k++)
		if (d->mask[k])
			return false;
	return true;
}
