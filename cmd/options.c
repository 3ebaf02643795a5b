// SPDX-License-Identifier: GPL-2.0-or-later
/* The delegation options shared by every command, and error reporting. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>

#include <json-c/json.h>

#include <bpfdelegate/diag.h>

#include "btf_cache.h"
#include "cli.h"
#include "diagfmt.h"
#include "quote.h"

/* Usage errors echo arguments: one line, non-printable bytes as \xNN. */
void cli_usage_error(const char *fmt, ...)
{
	char line[1024], safe[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr,
		PROG ": %s\nTry '" PROG " --help' for more information.\n",
		bpfd_escape_line(safe, sizeof(safe), line));
}

static int opt_kind(int opt)
{
	switch (opt) {
	case 'c':
		return BPFD_CMDS;
	case 'm':
		return BPFD_MAPS;
	case 'p':
		return BPFD_PROGS;
	case 'a':
		return BPFD_ATTACHS;
	case OPT_PRESET:
		return -1;
	default:
		return -2;
	}
}

int cli_deleg_option(struct cli_deleg *d, int opt, const char *arg)
{
	int kind = opt_kind(opt);

	if (kind == -2)
		return 0;
	if (kind == -1 && strcmp(arg, "list") == 0) {
		d->list_presets = true;
		return 1;
	}
	if (d->n >= CLI_MAX_ITEMS) {
		cli_usage_error("too many delegation options (at most %d)",
				CLI_MAX_ITEMS);
		return -1;
	}
	d->item[d->n].kind = kind;
	d->item[d->n].arg = arg;
	d->n++;
	return 1;
}

bool cli_deleg_empty(const struct cli_deleg *d)
{
	return d->n == 0;
}

/* Append what one preset left out to what others did. */
static void merge_skipped(struct bpfd_preset_skipped *all,
			  const struct bpfd_preset_skipped *one)
{
	for (int k = 0; all && k < BPFD_NKINDS; k++) {
		size_t used = strlen(all->list[k]);

		if (one->list[k][0] && !strstr(all->list[k], one->list[k]))
			snprintf(all->list[k] + used,
				 sizeof(all->list[k]) - used, "%s%s",
				 used ? ":" : "", one->list[k]);
	}
}

int cli_deleg_masks(const struct cli_deleg *d, const struct bpfd_names *names,
		    struct bpfd_delegation *out,
		    struct bpfd_preset_skipped *skipped, struct bpfd_error *e)
{
	memset(out, 0, sizeof(*out));
	if (skipped)
		memset(skipped, 0, sizeof(*skipped));
	for (unsigned int i = 0; i < d->n; i++) {
		int kind = d->item[i].kind;
		struct bpfd_preset_skipped one;
		int r;

		/* A preset adapts to the running kernel's names: what it
		 * lacks is left out (and noted); a LIST given does not. */
		if (kind < 0) {
			r = bpfd_preset_apply_known(names, d->item[i].arg, out,
						    &one, e);
			if (r >= 0)
				merge_skipped(skipped, &one);
		} else
			r = bpfd_parse_list(names, (enum bpfd_kind)kind,
					    d->item[i].arg, &out->mask[kind],
					    e);
		if (r < 0) {
			if (!e->detail[0])
				snprintf(e->detail, sizeof(e->detail), "%s",
					 strerror(-r));
			return (int)i;
		}
	}
	return -1;
}

static const char *kernel_release(void)
{
	static struct utsname u;

	return uname(&u) == 0 ? u.release : "unknown";
}

void cli_print_skipped(const struct bpfd_preset_skipped *s)
{
	static const char *const noun[BPFD_NKINDS] = {
	    "commands", "map types", "program types", "attach types"};
	char safe[1024];

	for (int k = 0; s && k < BPFD_NKINDS; k++) {
		char list[512];
		size_t n = 0;

		if (!s->list[k][0])
			continue;
		/* "a:b" as "a, b" */
		for (const char *p = s->list[k]; *p && n + 3 < sizeof(list);
		     p++) {
			if (*p == ':')
				list[n++] = ',';
			list[n++] = *p == ':' ? ' ' : *p;
		}
		list[n] = '\0';
		fprintf(stderr,
			PROG ": note: this kernel (%s) lacks %s %s: left out "
			     "of the preset\n",
			kernel_release(), noun[k],
			bpfd_escape_line(safe, sizeof(safe), list));
	}
}

/*
 * Resolve the options into masks: 0, or an exit code with one line
 * printed.  A LIST that does not resolve is a usage error (2), except on
 * a kernel without BPF tokens: nothing could be delegated there whatever
 * the LIST says, so that verdict (4) comes first, the LIST's problem as a
 * note.
 */
static int cli_deleg_resolve(const struct cli_deleg *d,
			     const struct bpfd_names *names,
			     struct bpfd_delegation *out,
			     struct bpfd_preset_skipped *skipped)
{
	static const char *const optname[BPFD_NKINDS] = {
	    "--cmds", "--maps", "--progs", "--attachs"};
	struct bpfd_error e = {0};
	int bad = cli_deleg_masks(d, names, out, skipped, &e);
	const char *opt;
	char safe[1024];

	if (bad < 0)
		return 0;
	opt = d->item[bad].kind < 0 ? "--preset" : optname[d->item[bad].kind];
	if (bpfd_kernel_tokens() != 0) {
		cli_usage_error("%s: %s", opt, e.detail);
		return EXIT_USAGE;
	}
	fprintf(stderr,
		PROG ": this kernel (%s) lacks BPF token support: Linux 6.9 "
		     "or newer is needed\n" PROG ": note: %s: %s\n",
		kernel_release(), opt,
		bpfd_escape_line(safe, sizeof(safe), e.detail));
	return EXIT_NO_KERNEL_SUPPORT;
}

void cli_print_presets(bool json)
{
	json_object *arr = json ? json_object_new_array() : NULL;

	for (const struct bpfd_preset *p = bpfd_presets(); p->name; p++) {
		json_object *o = arr ? json_object_new_object() : NULL;

		if (o) {
			json_object_object_add(o, "name",
					       json_object_new_string(p->name));
			json_object_object_add(
			    o, "summary", json_object_new_string(p->summary));
			json_object_array_add(arr, o);
		} else {
			printf("%s\n    %s\n", p->name, p->summary);
		}
		for (int k = 0; k < BPFD_NKINDS; k++) {
			const char *kind = bpfd_kind_name((enum bpfd_kind)k);

			if (o)
				json_object_object_add(
				    o, kind,
				    json_object_new_string(
					p->list[k] ? p->list[k] : ""));
			else if (p->list[k])
				printf("    --%-8s %s\n", kind, p->list[k]);
		}
	}
	if (arr) {
		json_object *doc = json_object_new_object();

		json_object_object_add(doc, "presets", arr);
		fmt_print_json(doc);
	}
}

bool cli_deleg_any_only(const struct cli_deleg *d)
{
	for (unsigned int i = 0; i < d->n; i++)
		if (strcasecmp(d->item[i].arg,
			       d->item[i].kind < 0 ? "all" : "any") != 0)
			return false;
	return !d->list_presets;
}

struct bpfd_names *cli_load_names_for(const struct cli_deleg *d)
{
	struct bpfd_names *names = NULL;

	/* Masks of "any" need no name: nothing to resolve, and the kernel
	 * shows them as "any" in the mount options and all bits in the
	 * token, which the engine compares without names.  The built-in
	 * table then serves (reading BTF costs ~0.4 ms). */
	if (cli_deleg_any_only(d) &&
	    bpfd_names_load(&names, NULL, BPFD_NAMES_NO_BTF, NULL) == 0)
		return names;
	return cli_load_names();
}

struct bpfd_names *cli_load_names(void)
{
	struct bpfd_names *names = NULL;
	struct bpfd_error e = {0};
	char buf[512];

	if (bpfd_names_load_kept(&names, &e) == 0)
		return names;
	/* A corrupt BTF file should not stop us: use the built-in table. */
	fprintf(stderr, PROG ": warning: %s; using the built-in names\n",
		bpfd_error_format(&e, buf, sizeof(buf)));
	if (bpfd_names_load(&names, NULL, BPFD_NAMES_NO_BTF, &e) == 0)
		return names;
	cli_print_error(&e);
	return NULL;
}

int cli_parse_timeout(const char *arg)
{
	char *end;
	double s;

	errno = 0;
	s = strtod(arg, &end);
	if (errno || end == arg || *end || !isfinite(s) || s <= 0 || s > 3600)
		return -1;
	return (int)(s * 1000 + 0.5) ?: 1;
}

static bool kernel_too_old(const struct bpfd_error *e)
{
	/* The kernel ignored the delegate_* options, or refused a bpffs
	 * for a user namespace (lib/bpffs.c: before 6.9, seen on 5.10 and
	 * 6.1); both are EOPNOTSUPP, whatever errno the kernel gave. */
	if ((e->step == BPFD_STEP_NOT_KEPT || e->step == BPFD_STEP_CREATE) &&
	    e->err == EOPNOTSUPP)
		return true;
	/* In our own flow the fd is a bpffs root: EINVAL means no such cmd. */
	return e->step == BPFD_STEP_TOKEN_CREATE && e->err == EINVAL;
}

/*
 * The kernel lacks tokens: by the failure itself, or, for any other
 * failure (not root, a bpffs already at attach's target...), by probing
 * BPF_TOKEN_CREATE: on such a kernel nothing else would help, so that
 * verdict comes first.
 */
static bool no_kernel_support(const struct bpfd_error *e)
{
	return kernel_too_old(e) || bpfd_kernel_tokens() == 0;
}

const char *cli_kernel_verdict(void)
{
	static char buf[160];

	snprintf(buf, sizeof(buf),
		 "this kernel (%s) lacks BPF token support: Linux 6.9 or "
		 "newer is needed",
		 kernel_release());
	return buf;
}

int cli_exit_code(const struct bpfd_error *e)
{
	/* Our own fds or memory ran out: neither privilege nor the kernel. */
	if (e->err == EMFILE || e->err == ENFILE || e->err == ENOMEM)
		return EXIT_FAIL;
	if (no_kernel_support(e))
		return EXIT_NO_KERNEL_SUPPORT;
	if (e->step == BPFD_STEP_PRIVILEGE && e->err == EPERM)
		return EXIT_NOT_PRIVILEGED;
	/* The policy of a rootless front door refused (rule named), or
	 * cannot be used (unsafe, malformed): as the helper says it. */
	if (e->step == BPFD_STEP_POLICY)
		return EXIT_POLICY;
	/* Not root, and no front door: the service is not there. */
	if (e->step == BPFD_STEP_SERVICE &&
	    (e->err == ENOENT || e->err == ECONNREFUSED))
		return EXIT_NOT_PRIVILEGED;
	if (e->step == BPFD_STEP_UNSHARE)
		return EXIT_NO_USERNS;
	/* run's COMMAND, as shells say it: 127 not found, 126 not run. */
	if (e->step == BPFD_STEP_EXEC)
		return e->err == ENOENT ? 127 : 126;
	return EXIT_FAIL;
}

void cli_print_error(const struct bpfd_error *e)
{
	char buf[768], safe[1536];

	/* The detail may hold a target path or a name given by the user. */
	fprintf(stderr, PROG ": %s\n",
		bpfd_escape_line(safe, sizeof(safe),
				 bpfd_error_format(e, buf, sizeof(buf))));
	if (no_kernel_support(e))
		fprintf(stderr,
			PROG ": this kernel (%s) lacks BPF token support: "
			     "Linux 6.9 or newer is needed\n",
			kernel_release());
	if (e->step == BPFD_STEP_UNSHARE) {
		struct bpfd_diag_facts f = {0};
		const char *knob;

		bpfd_diag_collect_userns(&f, e->err);
		knob = bpfd_diag_userns_knob(&f);

		if (knob)
			fprintf(stderr,
				PROG ": user namespaces are disabled: %s\n",
				knob);
	}
}

/* "an all-zero delegation" usage error for @cmd; -1 when every mask is 0. */
static int cli_deleg_check_nonempty(const struct bpfd_delegation *d,
				    const char *cmd)
{
	for (int k = 0; k < BPFD_NKINDS; k++)
		if (d->mask[k])
			return 0;
	/* The kernel refuses a token from a bpffs with no delegation. */
	cli_usage_error("%s: nothing to delegate: every mask is 0", cmd);
	return -1;
}

void cli_bad_option(const char *cmd, int optopt_, const char *arg)
{
	if (optopt_ && optopt_ < OPT_PRESET)
		cli_usage_error("%s: invalid or incomplete option '-%c'", cmd,
				optopt_);
	else
		cli_usage_error("%s: unrecognized or incomplete option '%s'",
				cmd, arg);
}

int cli_deleg_resolve_default(const struct cli_deleg *d,
			      const struct bpfd_names *names,
			      struct bpfd_delegation *out,
			      struct bpfd_preset_skipped *skipped,
			      const char *cmd)
{
	int r;

	if (skipped)
		memset(skipped, 0, sizeof(*skipped));
	if (cli_deleg_empty(d)) {
		for (int k = 0; k < BPFD_NKINDS; k++)
			out->mask[k] = BPFD_MASK_ANY;
		return 0;
	}
	r = cli_deleg_resolve(d, names, out, skipped);
	if (r)
		return r;
	cli_print_skipped(skipped);
	return cli_deleg_check_nonempty(out, cmd) < 0 ? EXIT_USAGE : 0;
}

/* The long options of @p: shared ones, the command's, help, version. */
static void collect_longopts(const struct cli_parser *p, struct option *all,
			     size_t max)
{
	static const struct option deleg[] = {CLI_DELEG_LONGOPTS};
	static const struct option json = {"json", no_argument, NULL, OPT_JSON};
	static const struct option timeout = {"timeout", required_argument,
					      NULL, OPT_TIMEOUT};
	static const struct option tail[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	size_t n = 0;

	for (size_t i = 0; (p->flags & CLI_DELEG) && i < ARRAY_SIZE(deleg); i++)
		all[n++] = deleg[i];
	if (p->flags & CLI_JSON)
		all[n++] = json;
	if (p->flags & CLI_TIMEOUT)
		all[n++] = timeout;
	for (size_t i = 0; p->longopts && p->longopts[i].name; i++) {
		/* A command's table that does not fit is a programming
		 * error: never drop an option silently. */
		if (n + ARRAY_SIZE(tail) >= max) {
			fprintf(stderr,
				PROG " %s: internal error: more than "
				     "%zu long options\n",
				p->cmd, max - ARRAY_SIZE(tail));
			abort();
		}
		all[n++] = p->longopts[i];
	}
	for (size_t i = 0; i < ARRAY_SIZE(tail); i++)
		all[n++] = tail[i];
}

/* A shared option: 1 taken, 0 not shared, > 1 an exit code. */
static int shared_option(const struct cli_parser *p, struct cli_common *co,
			 int c, const char *arg)
{
	int r;

	if (p->flags & CLI_DELEG) {
		r = cli_deleg_option(&co->deleg, c, arg);
		if (r)
			return r < 0 ? EXIT_USAGE : 1;
	}
	if (c == OPT_JSON) {
		co->json = true;
		return 1;
	}
	if (c != OPT_TIMEOUT)
		return 0;
	co->timeout_ms = cli_parse_timeout(arg);
	if (co->timeout_ms > 0)
		return 1;
	cli_usage_error("%s: --timeout: invalid number of seconds '%s'", p->cmd,
			arg);
	return EXIT_USAGE;
}

int cli_parse(int argc, char **argv, const struct cli_parser *p,
	      struct cli_common *co, int *first)
{
	struct option all[96];
	int c, r;
	const char *shorts =
	    p->flags & CLI_DELEG ? "+" CLI_DELEG_SHORTOPTS "hV" : "+hV";

	if (p->flags & CLI_PERMUTE)
		shorts++;

	collect_longopts(p, all, ARRAY_SIZE(all));
	if (!co->timeout_ms)
		co->timeout_ms = BPFD_DEFAULT_TIMEOUT_MS;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shorts, all, NULL)) != -1) {
		r = shared_option(p, co, c, optarg);
		if (r == 1)
			continue;
		if (r > 1)
			return r;
		if (c == 'h' || c == 'V') {
			if (c == 'h')
				p->usage(stdout);
			else
				printf(PROG " %s\n", BPFD_VERSION);
			return -1;
		}
		r = c != '?' && p->option ? p->option(p->ctx, c, optarg) : -1;
		if (r > 0)
			return r;
		if (r < 0) {
			cli_bad_option(p->cmd, optopt, argv[optind - 1]);
			return EXIT_USAGE;
		}
	}
	if (co->deleg.list_presets) {
		cli_print_presets(co->json);
		return -1;
	}
	if (p->max_operands >= 0 && argc - optind > p->max_operands) {
		cli_usage_error("%s: unexpected argument '%s'", p->cmd,
				argv[optind + p->max_operands]);
		return EXIT_USAGE;
	}
	*first = optind;
	return 0;
}
