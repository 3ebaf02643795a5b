// SPDX-License-Identifier: GPL-2.0-or-later
/* Printing an engine report: human text on stdout, or one JSON document. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "diagfmt.h"
#include "internal.h"
#include "quote.h"
#include "report.h"

/* The steps of the flow, in order, as the report lists them. */
static const enum bpfd_step flow[] = {
    BPFD_STEP_UNSHARE,	  BPFD_STEP_JOIN,	BPFD_STEP_UID_MAP,
    BPFD_STEP_GID_MAP,	  BPFD_STEP_SETID,	BPFD_STEP_MOUNT_PRIVATE,
    BPFD_STEP_FSOPEN,	  BPFD_STEP_FSCONFIG,	BPFD_STEP_CREATE,
    BPFD_STEP_FSMOUNT,	  BPFD_STEP_MOVE_MOUNT, BPFD_STEP_OPEN_ROOT,
    BPFD_STEP_MOUNTINFO,  BPFD_STEP_NOT_KEPT,	BPFD_STEP_TOKEN_CREATE,
    BPFD_STEP_TOKEN_INFO, BPFD_STEP_PROBE,
};
#define NFLOW (sizeof(flow) / sizeof(flow[0]))

static const char *kernel_release(void)
{
	static struct utsname u;

	return uname(&u) == 0 ? u.release : "unknown";
}

static const char *short_kind(enum bpfd_kind k)
{
	static const char *const s[BPFD_NKINDS] = {"cmd", "map", "prog",
						   "attach"};
	return s[k];
}

static const char *probe_name(const struct bpfd_names *names,
			      const struct bpfd_probe_result *r, char *buf,
			      size_t len)
{
	const char *n = bpfd_names_get(names, r->kind, r->value);

	if (n)
		return n;
	snprintf(buf, len, "#%u", r->value);
	return buf;
}

static void probe_counts(const struct bpfd_probe_report *p, unsigned int *works,
			 unsigned int *refused, unsigned int *untestable)
{
	*works = *refused = *untestable = 0;
	for (unsigned int i = 0; i < p->count; i++) {
		if (p->r[i].control)
			continue;
		switch (p->r[i].verdict) {
		case BPFD_PROBE_WORKS:
			(*works)++;
			break;
		case BPFD_PROBE_REFUSED:
			(*refused)++;
			break;
		default:
			(*untestable)++;
		}
	}
}

/* ---- text ---- */

static void print_steps(const struct bpfd_report *rep,
			const struct bpfd_error *e)
{
	char buf[768], safe[1536];

	printf("Steps:\n");
	for (size_t i = 0; i < NFLOW; i++) {
		if (rep->done & (1ull << flow[i]))
			printf("  ok    %s\n", bpfd_step_name(flow[i]));
	}
	/* The detail may hold a target path: no control bytes on stdout. */
	if (e && e->err)
		printf(
		    "  FAIL  %s\n",
		    bpfd_escape_line(safe, sizeof(safe),
				     bpfd_error_format(e, buf, sizeof(buf))));
}

static void print_masks(const struct bpfd_names *names, const char *title,
			const struct bpfd_delegation *d)
{
	char buf[4096];

	printf("%s:\n", title);
	for (int k = 0; k < BPFD_NKINDS; k++) {
		bpfd_format_list(names, (enum bpfd_kind)k, d->mask[k], buf,
				 sizeof(buf));
		printf("  %-8s %s\n", bpfd_kind_name((enum bpfd_kind)k),
		       buf[0] ? buf : "(none)");
	}
}

static void print_result(const struct bpfd_names *names,
			 const struct bpfd_probe_result *r)
{
	char nb[16], res[32];

	if (r->verdict == BPFD_PROBE_REFUSED)
		snprintf(res, sizeof(res), "refused(%s)",
			 bpfd_errno_name(r->err, "?"));
	else
		snprintf(res, sizeof(res), "%s",
			 bpfd_probe_verdict_name(r->verdict));
	printf("  %-6s %-28s %-9s %-15s %s%s\n", short_kind(r->kind),
	       probe_name(names, r, nb, sizeof(nb)),
	       r->delegated ? "yes" : "no", res,
	       r->agrees ? "" : "DISAGREES: ", r->note);
}

/* Untestable results of one kind sharing a note, as one line of names. */
static void print_untestable_group(const struct bpfd_names *names,
				   const struct bpfd_probe_report *p,
				   unsigned int first, bool *shown)
{
	const struct bpfd_probe_result *f = &p->r[first];
	unsigned int n = 0;

	size_t col = 9;

	printf("  %-6s ", short_kind(f->kind));
	for (unsigned int i = first; i < p->count; i++) {
		const struct bpfd_probe_result *r = &p->r[i];
		const char *nm;
		char nb[16];

		if (shown[i] || r->kind != f->kind || r->control ||
		    r->verdict != BPFD_PROBE_UNTESTABLE ||
		    strcmp(r->note, f->note))
			continue;
		shown[i] = true;
		nm = probe_name(names, r, nb, sizeof(nb));
		if (n++) {
			fputs(",", stdout);
			col++;
			if (col + strlen(nm) + 1 > 78) {
				fputs("\n        ", stdout);
				col = 8;
			}
		}
		col += printf(" %s", nm);
	}
	printf("\n           (%s)\n", f->note);
}

static void print_probes(const struct bpfd_names *names,
			 const struct bpfd_probe_report *p)
{
	bool shown[BPFD_PROBE_MAX] = {false};

	for (unsigned int i = 0; i < p->count; i++)
		if (p->r[i].control)
			printf("Control: %s%s\n\n",
			       p->r[i].agrees ? "" : "DISAGREES: ",
			       strncmp(p->r[i].note, "control: ", 9)
				   ? p->r[i].note
				   : p->r[i].note + 9);
	printf("Probes (with the token, as root of the user namespace):\n");
	printf("  %-6s %-28s %-9s %-15s %s\n", "KIND", "NAME", "DELEGATED",
	       "RESULT", "NOTE");
	for (unsigned int i = 0; i < p->count; i++)
		if (!p->r[i].control &&
		    p->r[i].verdict != BPFD_PROBE_UNTESTABLE)
			print_result(names, &p->r[i]);
	printf("\nNot testable here:\n");
	for (unsigned int i = 0; i < p->count; i++)
		if (!shown[i] && !p->r[i].control &&
		    p->r[i].verdict == BPFD_PROBE_UNTESTABLE)
			print_untestable_group(names, p, i, shown);
}

void report_print_text(const char *what, const char *where,
		       const struct bpfd_report *rep,
		       const struct bpfd_names *names,
		       const struct bpfd_error *e)
{
	unsigned int works, refused, untestable;

	printf(PROG " %s: kernel %s, names from %s\n\n", what, kernel_release(),
	       bpfd_names_from_btf(names) ? "kernel BTF"
					  : "the built-in table");
	print_steps(rep, e);
	printf("\n");
	print_masks(names, "Delegation requested", &rep->requested);
	if (rep->kept_valid) {
		char t[1024];

		printf("\nMounted at %s %s, options: %s\n",
		       bpfd_escape_line(t, sizeof(t), rep->target), where,
		       rep->mount_opts);
	}
	if (rep->token_source != BPFD_TOKEN_SRC_NONE) {
		printf("\n");
		print_masks(names,
			    rep->token_source == BPFD_TOKEN_SRC_INFO
				? "Token allows (BPF_OBJ_GET_INFO_BY_FD)"
				: "Token allows (fdinfo)",
			    &rep->token);
	}
	if (rep->probed) {
		printf("\n");
		print_probes(names, &rep->probes);
	}
	probe_counts(&rep->probes, &works, &refused, &untestable);
	printf("\nResult: %s", e && e->err ? "FAILED" : "ok");
	if (rep->probed)
		printf(": %u works, %u refused (%u of them confirmed not "
		       "delegated), %u not testable here, %u disagree",
		       works, refused, rep->probes.refused_checked, untestable,
		       rep->probes.disagreements);
	printf("\n");
}

/* ---- JSON ---- */

static json_object *steps_json(const struct bpfd_report *rep)
{
	json_object *a = json_object_new_array();

	for (size_t i = 0; i < NFLOW; i++) {
		json_object *s = json_object_new_object();
		const char *st = rep->done & (1ull << flow[i]) ? "ok"
				 : (rep->err && rep->step == flow[i])
				     ? "failed"
				     : "not run";

		json_object_object_add(
		    s, "step", json_object_new_string(bpfd_step_name(flow[i])));
		json_object_object_add(s, "status", json_object_new_string(st));
		json_object_array_add(a, s);
	}
	return a;
}

static json_object *probes_json(const struct bpfd_names *names,
				const struct bpfd_probe_report *p)
{
	json_object *a = json_object_new_array();

	for (unsigned int i = 0; i < p->count; i++) {
		const struct bpfd_probe_result *r = &p->r[i];
		json_object *o = json_object_new_object();
		char nb[16];

		json_object_object_add(
		    o, "kind", json_object_new_string(bpfd_kind_name(r->kind)));
		json_object_object_add(o, "name",
				       json_object_new_string(probe_name(
					   names, r, nb, sizeof(nb))));
		json_object_object_add(o, "value",
				       json_object_new_int((int)r->value));
		json_object_object_add(o, "delegated",
				       json_object_new_boolean(r->delegated));
		json_object_object_add(
		    o, "result",
		    json_object_new_string(
			bpfd_probe_verdict_name(r->verdict)));
		json_object_object_add(
		    o, "errno",
		    r->err
			? json_object_new_string(bpfd_errno_name(r->err, "?"))
			: NULL);
		json_object_object_add(o, "agrees",
				       json_object_new_boolean(r->agrees));
		json_object_object_add(o, "control",
				       json_object_new_boolean(r->control));
		json_object_object_add(o, "note",
				       json_object_new_string(r->note));
		json_object_array_add(a, o);
	}
	return a;
}

static json_object *error_json(const struct bpfd_error *e)
{
	json_object *o;
	char buf[768];

	if (!e || !e->err)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "step",
			       json_object_new_string(bpfd_step_name(e->step)));
	json_object_object_add(
	    o, "errno", json_object_new_string(bpfd_errno_name(e->err, "?")));
	json_object_object_add(o, "detail", json_object_new_string(e->detail));
	json_object_object_add(
	    o, "hint", e->hint ? json_object_new_string(e->hint) : NULL);
	json_object_object_add(
	    o, "message",
	    json_object_new_string(bpfd_error_format(e, buf, sizeof(buf))));
	return o;
}

/* {"attachs": ["tcx_ingress", ...]}, or null when nothing was left out. */
static json_object *skipped_json(const struct bpfd_preset_skipped *s)
{
	json_object *o = NULL;

	for (int k = 0; s && k < BPFD_NKINDS; k++) {
		json_object *a;
		char buf[256], *save = NULL;

		if (!s->list[k][0])
			continue;
		if (!o)
			o = json_object_new_object();
		a = json_object_new_array();
		snprintf(buf, sizeof(buf), "%s", s->list[k]);
		for (char *w = strtok_r(buf, ":", &save); w;
		     w = strtok_r(NULL, ":", &save))
			json_object_array_add(a, json_object_new_string(w));
		json_object_object_add(o, bpfd_kind_name((enum bpfd_kind)k), a);
	}
	return o;
}

void report_print_json(const struct bpfd_report *rep,
		       const struct bpfd_names *names,
		       const struct bpfd_error *e,
		       const struct bpfd_preset_skipped *skipped, int exit_code)
{
	fmt_print_json(report_json(rep, names, e, skipped, exit_code));
}

json_object *report_json(const struct bpfd_report *rep,
			 const struct bpfd_names *names,
			 const struct bpfd_error *e,
			 const struct bpfd_preset_skipped *skipped,
			 int exit_code)
{
	json_object *o = json_object_new_object();
	unsigned int works, refused, untestable;
	json_object *sum = json_object_new_object();

	json_object_object_add(o, "version",
			       json_object_new_string(BPFD_VERSION));
	json_object_object_add(o, "kernel",
			       json_object_new_string(kernel_release()));
	json_object_object_add(o, "names",
			       json_object_new_string(bpfd_names_from_btf(names)
							  ? "btf"
							  : "builtin"));
	json_object_object_add(o, "ok",
			       json_object_new_boolean(exit_code == 0));
	json_object_object_add(o, "exit_code", json_object_new_int(exit_code));
	json_object_object_add(o, "error", error_json(e));
	json_object_object_add(o, "steps", steps_json(rep));
	json_object_object_add(o, "requested",
			       fmt_masks_json(names, &rep->requested));
	json_object_object_add(o, "left_out", skipped_json(skipped));
	json_object_object_add(
	    o, "target",
	    rep->target[0] ? json_object_new_string(rep->target) : NULL);
	json_object_object_add(o, "replaced",
			       json_object_new_int((int)rep->replaced));
	json_object_object_add(o, "covered",
			       json_object_new_int((int)rep->covered));
	json_object_object_add(
	    o, "mount_options",
	    rep->kept_valid ? json_object_new_string(rep->mount_opts) : NULL);
	json_object_object_add(
	    o, "kept",
	    rep->kept_valid ? fmt_masks_json(names, &rep->kept) : NULL);
	json_object_object_add(
	    o, "token",
	    rep->token_source ? fmt_masks_json(names, &rep->token) : NULL);
	json_object_object_add(
	    o, "probes", rep->probed ? probes_json(names, &rep->probes) : NULL);
	probe_counts(&rep->probes, &works, &refused, &untestable);
	json_object_object_add(sum, "works", json_object_new_int((int)works));
	json_object_object_add(sum, "refused",
			       json_object_new_int((int)refused));
	json_object_object_add(
	    sum, "refused_as_expected",
	    json_object_new_int((int)rep->probes.refused_checked));
	json_object_object_add(sum, "untestable",
			       json_object_new_int((int)untestable));
	json_object_object_add(
	    sum, "disagreements",
	    json_object_new_int((int)rep->probes.disagreements));
	json_object_object_add(o, "summary", sum);
	return o;
}
