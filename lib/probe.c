// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Probes: exercise a BPF token with trivial objects and compare what the
 * kernel does with what was delegated.
 *
 * The kernel never says "the token does not allow this": when a token lacks
 * the command or type it is silently dropped and the call falls back to
 * capability checks in the initial user namespace, which a process in a
 * child user namespace fails with EPERM.  So EPERM is the refusal we look
 * for, and only for checks the kernel makes *after* looking at the token:
 * map_create() runs map_alloc_check() (EINVAL for bad attributes or a type
 * that is not built in) before it, bpf_prog_load() runs the verifier after.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpfdelegate/probe.h>
#include <bpfdelegate/sysbpf.h>

#include "compat.h"
#include "internal.h"
#include "probe_table.h"

struct probe_ctx {
	int token;
	const struct bpfd_delegation *want;
	const struct bpfd_names *names;
	struct bpfd_probe_report *rep;
	int unpriv_sysctl; /* kernel.unprivileged_bpf_disabled, -1 unknown */
	uint32_t page_size;
	int btf_fd;	  /* the tiny BTF, loaded with the token, or -1 */
	int inner_fd;	  /* inner array map for *_of_maps, or -1 */
	int resource_err; /* first EMFILE/ENFILE/ENOMEM of a probe, or 0 */
	uint32_t resource_failed; /* probes that failed that way */
};

/* Our own fds or memory ran out: the attempt says nothing of the token. */
static bool resource_errno(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOMEM;
}

const char *bpfd_probe_verdict_name(enum bpfd_probe_verdict v)
{
	switch (v) {
	case BPFD_PROBE_WORKS:
		return "works";
	case BPFD_PROBE_REFUSED:
		return "refused";
	case BPFD_PROBE_UNTESTABLE:
		return "untestable";
	}
	return "?";
}

/* Unprivileged BPF may be on: a success without the token proves nothing. */
static bool unpriv_maybe_on(const struct probe_ctx *c)
{
	return c->unpriv_sysctl <= 0;
}

static bool want_has(const struct probe_ctx *c, enum bpfd_kind k, uint32_t v)
{
	return v < 64 && (c->want->mask[k] >> v) & 1;
}

static const char *name_of(const struct probe_ctx *c, enum bpfd_kind k,
			   uint32_t v)
{
	const char *n = bpfd_names_get(c->names, k, v);

	return n ? n : "?";
}

static const char *errno_name(int err, char *buf, size_t len)
{
	const char *n = bpfd_errno_name(err, NULL);

	if (n)
		return n;
	snprintf(buf, len, "errno %d", err);
	return buf;
}

static struct bpfd_probe_result *add(struct probe_ctx *c, enum bpfd_kind k,
				     uint32_t v, bool delegated)
{
	struct bpfd_probe_result *r;

	if (c->rep->count >= BPFD_PROBE_MAX)
		return NULL;
	r = &c->rep->r[c->rep->count++];
	memset(r, 0, sizeof(*r));
	r->kind = k;
	r->value = v;
	r->delegated = delegated;
	r->verdict = BPFD_PROBE_UNTESTABLE;
	r->agrees = true;
	return r;
}

static void note(struct bpfd_probe_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void note(struct bpfd_probe_result *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->note, sizeof(r->note), fmt, ap);
	va_end(ap);
}

/* Delegated as far as one kind tells: a type also needs its command. */
static bool kind_delegated(const struct probe_ctx *c, enum bpfd_kind k,
			   uint32_t v)
{
	switch (k) {
	case BPFD_MAPS:
		return want_has(c, BPFD_CMDS, BPFD_CMD_MAP_CREATE) &&
		       want_has(c, k, v);
	case BPFD_PROGS:
	case BPFD_ATTACHS:
		return want_has(c, BPFD_CMDS, BPFD_CMD_PROG_LOAD) &&
		       want_has(c, k, v);
	default:
		return want_has(c, k, v);
	}
}

static void untestable(struct probe_ctx *c, enum bpfd_kind k, uint32_t v,
		       const char *why)
{
	struct bpfd_probe_result *r = add(c, k, v, kind_delegated(c, k, v));

	if (r)
		note(r, "%s", why);
}

/*
 * Turn the outcome @ret (fd or -errno) of the attempt @what into a verdict.
 * @unpriv: the attempt also succeeds without any token when unprivileged
 * BPF is enabled.  Closes a returned fd unless @keep is given.
 */
static void judge(struct probe_ctx *c, struct bpfd_probe_result *r, int ret,
		  bool unpriv, const char *what, int *keep)
{
	int err = ret < 0 ? -ret : 0;
	const char *en;
	char eb[24];

	if (!r) {
		if (ret >= 0 && keep)
			*keep = ret;
		else if (ret >= 0)
			close(ret);
		return;
	}
	r->err = err;
	if (ret >= 0) {
		if (keep)
			*keep = ret;
		else
			close(ret);
		r->verdict = BPFD_PROBE_WORKS;
		if (r->delegated) {
			note(r, "%s", what);
		} else if (unpriv && unpriv_maybe_on(c)) {
			r->verdict = BPFD_PROBE_UNTESTABLE;
			note(r, "%s: works without token, unprivileged BPF on",
			     what);
		} else {
			r->agrees = false;
			note(r, "%s: works though not delegated", what);
		}
		return;
	}
	r->verdict = BPFD_PROBE_REFUSED;
	en = errno_name(err, eb, sizeof(eb));
	if (resource_errno(err)) {
		/* Neither works nor refused: bpfd_probe_all() fails. */
		r->verdict = BPFD_PROBE_UNTESTABLE;
		if (!c->resource_err)
			c->resource_err = err;
		c->resource_failed++;
		note(r, "%s: %s, out of resources", what, en);
	} else if (!r->delegated && err == EPERM) {
		c->rep->refused_checked++;
		note(r, "%s: EPERM", what);
	} else if (!r->delegated) {
		/* Failed before the kernel looked at the token. */
		r->verdict = BPFD_PROBE_UNTESTABLE;
		note(r, "%s: %s before the token check", what, en);
	} else if (err == EINVAL || err == EOPNOTSUPP || err == BPFD_ENOTSUPP) {
		r->verdict = BPFD_PROBE_UNTESTABLE;
		note(r, "%s: %s, not in this kernel/config?", what, en);
	} else {
		r->agrees = false;
		note(r, "%s: %s though delegated", what, en);
	}
}

/* ---- BTF ---- */

/* Raw BTF: header, one type "int" (signed, 32 bits), string section. */
struct tiny_btf {
	uint16_t magic;
	uint8_t version, flags;
	uint32_t hdr_len, type_off, type_len, str_off, str_len;
	uint32_t name_off, info, size, int_enc;
	char strings[5];
} __attribute__((packed));

static int load_tiny_btf(int token)
{
	const struct tiny_btf b = {
	    .magic = 0xeB9F,
	    .version = 1,
	    .hdr_len = 24,
	    .type_off = 0,
	    .type_len = 16,
	    .str_off = 16,
	    .str_len = 5,
	    .name_off = 1,
	    .info = 1U << 24, /* BTF_KIND_INT, vlen 0 */
	    .size = 4,
	    .int_enc = (1U << 24) | 32, /* BTF_INT_SIGNED, 32 bits */
	    .strings = "\0int",
	};

	return bpfd_btf_load(&b, sizeof(b), token);
}

/* ---- commands ---- */

static void probe_control(struct probe_ctx *c)
{
	const struct bpfd_map_opts o = {.type = BPF_MAP_TYPE_ARRAY,
					.key_size = 4,
					.value_size = 4,
					.max_entries = 1};
	struct bpfd_probe_result *r =
	    add(c, BPFD_CMDS, BPFD_CMD_MAP_CREATE, false);
	int ret = bpfd_map_create(&o, -1);
	char eb[24];

	if (!r) {
		if (ret >= 0)
			close(ret);
		return;
	}
	r->control = true;
	r->err = ret < 0 ? -ret : 0;
	if (ret >= 0) {
		close(ret);
		r->verdict = BPFD_PROBE_WORKS;
		if (unpriv_maybe_on(c)) {
			r->verdict = BPFD_PROBE_UNTESTABLE;
			note(r, "control: no token: array map works, "
				"unprivileged BPF on?");
		} else {
			r->agrees = false;
			note(r, "control: no token: array map created "
				"(init-namespace CAP_BPF?)");
		}
	} else if (ret == -EPERM) {
		r->verdict = BPFD_PROBE_REFUSED;
		note(r, "control: no token: array map refused (EPERM)");
	} else {
		note(r, "control: no token: array map: %s",
		     errno_name(r->err, eb, sizeof(eb)));
	}
}

static int fill_map_opts(struct probe_ctx *c, uint32_t type, bool delegated,
			 struct bpfd_map_opts *o, const char **why);

/* map_create with the first simple map type the delegation names. */
static void probe_cmd_map_create(struct probe_ctx *c)
{
	uint32_t type = BPF_MAP_TYPE_ARRAY;
	const struct bpfd_map_recipe *m;
	struct bpfd_map_opts o;
	struct bpfd_probe_result *r;
	const char *why;
	char what[64];

	for (uint32_t t = 1; t < 64; t++) {
		m = bpfd_probe_map_recipe(t);
		if (m && !m->untestable && m->need == BPFD_NEED_NONE &&
		    want_has(c, BPFD_MAPS, t)) {
			type = t;
			break;
		}
	}
	m = bpfd_probe_map_recipe(type);
	r = add(c, BPFD_CMDS, BPFD_CMD_MAP_CREATE,
		want_has(c, BPFD_CMDS, BPFD_CMD_MAP_CREATE) &&
		    want_has(c, BPFD_MAPS, type));
	if (!r || fill_map_opts(c, type, r->delegated, &o, &why) < 0)
		return;
	snprintf(what, sizeof(what), "map_create %s", m->name);
	judge(c, r, bpfd_map_create(&o, c->token), m->unpriv, what, NULL);
}

static int load_trivial(const struct probe_ctx *c,
			const struct bpfd_prog_recipe *p, uint32_t type,
			uint32_t eat)
{
	const struct bpf_insn insns[] = {
	    {.code = BPF_ALU64 | BPF_MOV | BPF_K,
	     .dst_reg = BPF_REG_0,
	     .imm = p->ret},
	    {.code = BPF_JMP | BPF_EXIT},
	};
	const struct bpfd_prog_opts o = {
	    .type = type,
	    .expected_attach_type = eat,
	    .flags = p->flags,
	    .insns = insns,
	    .insn_cnt = ARRAY_SIZE(insns),
	};

	return bpfd_prog_load(&o, c->token);
}

static bool prog_delegated(const struct probe_ctx *c, uint32_t type,
			   uint32_t eat)
{
	return want_has(c, BPFD_CMDS, BPFD_CMD_PROG_LOAD) &&
	       want_has(c, BPFD_PROGS, type) && want_has(c, BPFD_ATTACHS, eat);
}

static void probe_prog(struct probe_ctx *c, enum bpfd_kind kind, uint32_t value,
		       uint32_t type, uint32_t eat)
{
	const struct bpfd_prog_recipe *p = bpfd_probe_prog_recipe(type);
	struct bpfd_probe_result *r =
	    add(c, kind, value, prog_delegated(c, type, eat));
	char what[96];

	snprintf(what, sizeof(what), "prog_load %s eat=%s", p->name,
		 name_of(c, BPFD_ATTACHS, eat));
	if (r)
		judge(c, r, load_trivial(c, p, type, eat), p->unpriv, what,
		      NULL);
}

/* prog_load with the first testable program the delegation names. */
static void probe_cmd_prog_load(struct probe_ctx *c)
{
	uint32_t type = BPF_PROG_TYPE_SOCKET_FILTER;

	for (uint32_t t = 1; t < 64; t++) {
		const struct bpfd_prog_recipe *p = bpfd_probe_prog_recipe(t);

		if (p && !p->untestable && want_has(c, BPFD_PROGS, t) &&
		    want_has(c, BPFD_ATTACHS, p->eat)) {
			type = t;
			break;
		}
	}
	probe_prog(c, BPFD_CMDS, BPFD_CMD_PROG_LOAD, type,
		   bpfd_probe_prog_recipe(type)->eat);
}

static void probe_cmd_btf_load(struct probe_ctx *c)
{
	struct bpfd_probe_result *r =
	    add(c, BPFD_CMDS, BPFD_CMD_BTF_LOAD,
		want_has(c, BPFD_CMDS, BPFD_CMD_BTF_LOAD));

	judge(c, r, load_tiny_btf(c->token), false, "btf_load int", &c->btf_fd);
}

/*
 * bpf_btf_get_fd_by_id() checks the token (and CAP_SYS_ADMIN) before it
 * looks the id up, so without a BTF object of our own an undelegated
 * command is still refused with EPERM for any id.  Only Linux 6.15+ takes
 * a token for it: 6.9 to 6.14 accept btf_get_fd_by_id in delegate_cmds
 * (the name is in their enum) but fail any call that passes a token with
 * EINVAL, so nothing can be learnt about the delegation there (seen on
 * Debian's 6.12).  Asked by behaviour, not by version number.
 */
static void probe_cmd_btf_get_fd_by_id(struct probe_ctx *c)
{
	const uint32_t cmd = BPFD_CMD_BTF_GET_FD_BY_ID;
	bool delegated = want_has(c, BPFD_CMDS, cmd);
	struct bpf_btf_info info = {.id = 1};
	uint32_t len = sizeof(info);
	struct bpfd_probe_result *r;
	char what[48];

	if (bpfd_btf_get_fd_by_id_takes_token() == 0) {
		untestable(c, BPFD_CMDS, cmd, BPFD_PROBE_BTF_ID_NO_TOKEN);
		return;
	}
	if (c->btf_fd < 0 && delegated) {
		untestable(c, BPFD_CMDS, cmd,
			   "needs a BTF object, and btf_load did not work");
		return;
	}
	if (c->btf_fd >= 0) {
		memset(&info, 0, sizeof(info));
		if (bpfd_obj_get_info(c->btf_fd, &info, &len) < 0) {
			untestable(c, BPFD_CMDS, cmd,
				   "cannot read the BTF object id");
			return;
		}
	}
	r = add(c, BPFD_CMDS, cmd, delegated);
	snprintf(what, sizeof(what), "btf_get_fd_by_id %u%s", info.id,
		 c->btf_fd < 0 ? " (stand-in id)" : "");
	judge(c, r, bpfd_btf_get_fd_by_id(info.id, c->token), false, what,
	      NULL);
}

static void probe_cmds(struct probe_ctx *c)
{
	unsigned int n = bpfd_names_count(c->names, BPFD_CMDS);

	for (uint32_t v = 0; v < n && v < 64; v++) {
		if (!bpfd_names_get(c->names, BPFD_CMDS, v))
			continue;
		switch (v) {
		case BPFD_CMD_MAP_CREATE:
			probe_cmd_map_create(c);
			break;
		case BPFD_CMD_PROG_LOAD:
			probe_cmd_prog_load(c);
			break;
		case BPFD_CMD_BTF_LOAD:
			probe_cmd_btf_load(c);
			break;
		case BPFD_CMD_BTF_GET_FD_BY_ID:
			probe_cmd_btf_get_fd_by_id(c);
			break;
		default:
			untestable(c, BPFD_CMDS, v, BPFD_PROBE_CMD_UNTESTABLE);
		}
	}
}

/* ---- map types ---- */

static int inner_map(struct probe_ctx *c)
{
	const struct bpfd_map_opts o = {.type = BPF_MAP_TYPE_ARRAY,
					.key_size = 4,
					.value_size = 4,
					.max_entries = 1};

	if (c->inner_fd < 0)
		c->inner_fd = bpfd_map_create(&o, c->token);
	if (c->inner_fd < 0)
		c->inner_fd = bpfd_map_create(&o, -1);
	return c->inner_fd;
}

/*
 * Fill @o for map @type: 0, 1 when a stand-in fd is used, or -1 with *@why
 * when it cannot be made here.
 * map_create() checks the token before it resolves inner_map_fd (in
 * map_alloc) and btf_fd: an undelegated type is refused with EPERM whatever
 * they are, so the token fd stands in for an object we could not make.
 */
static int fill_map_opts(struct probe_ctx *c, uint32_t type, bool delegated,
			 struct bpfd_map_opts *o, const char **why)
{
	const struct bpfd_map_recipe *m = bpfd_probe_map_recipe(type);
	int stand_in = delegated ? BPFD_NO_FD : c->token;

	memset(o, 0, sizeof(*o));
	o->type = type;
	o->key_size = m->key_size;
	o->value_size = m->value_size;
	o->max_entries = m->max_entries;
	o->flags = m->flags;
	o->map_extra = m->map_extra;
	switch (m->need) {
	case BPFD_NEED_INNER_MAP:
		o->inner_map_fd = inner_map(c) >= 0 ? c->inner_fd : stand_in;
		*why = "needs an inner array map, which cannot be created";
		return o->inner_map_fd < 0 ? -1 : o->inner_map_fd == stand_in;
	case BPFD_NEED_BTF:
		o->btf_fd = c->btf_fd >= 0 ? c->btf_fd : stand_in;
		o->btf_key_type_id = 1;
		o->btf_value_type_id = 1;
		*why = "needs BTF key/value types, and btf_load did not work";
		return o->btf_fd < 0 ? -1 : o->btf_fd == stand_in;
	case BPFD_NEED_PAGES:
		o->max_entries = c->page_size;
		break;
	}
	return 0;
}

static void probe_map_type(struct probe_ctx *c, uint32_t type)
{
	const struct bpfd_map_recipe *m = bpfd_probe_map_recipe(type);
	struct bpfd_probe_result *r;
	struct bpfd_map_opts o;
	const char *why;
	bool delegated;
	int stand_in;
	char what[80];

	if (!m) {
		untestable(c, BPFD_MAPS, type, "no recipe in bpfdelegate");
		return;
	}
	if (m->untestable) {
		untestable(c, BPFD_MAPS, type, m->untestable);
		return;
	}
	delegated = kind_delegated(c, BPFD_MAPS, type);
	stand_in = fill_map_opts(c, type, delegated, &o, &why);
	if (stand_in < 0) {
		untestable(c, BPFD_MAPS, type, why);
		return;
	}
	r = add(c, BPFD_MAPS, type, delegated);
	snprintf(what, sizeof(what), "map_create %s k%u v%u n%u%s%s", m->name,
		 o.key_size, o.value_size, o.max_entries,
		 m->need == BPFD_NEED_BTF ? " btf" : "",
		 stand_in ? " (stand-in fd)" : "");
	judge(c, r, bpfd_map_create(&o, c->token), m->unpriv, what, NULL);
}

/* ---- program and attach types ---- */

static void probe_prog_type(struct probe_ctx *c, uint32_t type)
{
	const struct bpfd_prog_recipe *p = bpfd_probe_prog_recipe(type);

	if (!p)
		untestable(c, BPFD_PROGS, type, "no recipe in bpfdelegate");
	else if (p->untestable)
		untestable(c, BPFD_PROGS, type, p->untestable);
	else
		probe_prog(c, BPFD_PROGS, type, type, p->eat);
}

static void probe_attach_type(struct probe_ctx *c, uint32_t attach)
{
	uint32_t type = 0;
	const char *why = NULL;

	if (!bpfd_probe_attach_prog(attach, &type, &why))
		untestable(c, BPFD_ATTACHS, attach, why);
	else
		probe_prog(c, BPFD_ATTACHS, attach, type, attach);
}

static void probe_kind(struct probe_ctx *c, enum bpfd_kind k,
		       void (*fn)(struct probe_ctx *, uint32_t))
{
	unsigned int n = bpfd_names_count(c->names, k);
	/* Value 0 of maps and progs is "unspec", not a type. */
	uint32_t first = k == BPFD_ATTACHS ? 0 : 1;

	for (uint32_t v = first; v < n && v < 64; v++)
		if (bpfd_names_get(c->names, k, v))
			fn(c, v);
}

int bpfd_probe_all(int token_fd, const struct bpfd_delegation *want,
		   const struct bpfd_names *names,
		   struct bpfd_probe_report *rep)
{
	struct probe_ctx c = {
	    .token = token_fd,
	    .want = want,
	    .names = names,
	    .rep = rep,
	    .btf_fd = BPFD_NO_FD,
	    .inner_fd = BPFD_NO_FD,
	};
	long page = sysconf(_SC_PAGESIZE);

	if (token_fd < 0 || !want || !names || !rep)
		return -EINVAL;
	/* The results are defined up to count (add() fills each). */
	memset(rep, 0, offsetof(struct bpfd_probe_report, r));
	c.unpriv_sysctl =
	    (int)bpfd_sysctl_long("/proc/sys/kernel/unprivileged_bpf_disabled");
	c.page_size = page > 0 ? (uint32_t)page : 4096;

	/*
	 * Not counted in refused_checked: with no token at all it shows that
	 * this process cannot create maps on its own, so what works below
	 * works because of the token.
	 */
	probe_control(&c);
	probe_cmds(&c);
	probe_kind(&c, BPFD_MAPS, probe_map_type);
	probe_kind(&c, BPFD_PROGS, probe_prog_type);
	probe_kind(&c, BPFD_ATTACHS, probe_attach_type);

	bpfd_closep(&c.btf_fd);
	bpfd_closep(&c.inner_fd);
	for (uint32_t i = 0; i < rep->count; i++)
		if (!rep->r[i].agrees)
			rep->disagreements++;
	rep->resource_failed = c.resource_failed;
	/* Results that ran are kept; the verdict as a whole cannot be. */
	return c.resource_err ? -c.resource_err : 0;
}
