// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bpfdelegate policy: what the administrator's policy lets the calling
 * user (root: any --user) do, and why; with a request, its verdict.
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli.h"
#include "policy.h"
#include "quote.h"

static void usage(FILE *out)
{
	fputs("Usage:\n"
	      " " PROG " policy [options]\n"
	      "\n"
	      "Show what the administrator's policy lets the calling user "
	      "do, and the\n"
	      "rule that says so; with a request (--command, delegation, "
	      "--netns,\n"
	      "--target), whether it is allowed.  The policy directory is "
	      "fixed at\n"
	      "build time (" PROG " policy shows it).\n"
	      "\n"
	      "Request (default: check, any for all four):\n"
	      "     --command CMD     check, run or attach\n"
	      " -c, --cmds LIST       bpf() commands\n"
	      " -m, --maps LIST       map types\n"
	      " -p, --progs LIST      program types\n"
	      " -a, --attachs LIST    attach types\n"
	      "     --preset NAME     a named set ('--preset list')\n"
	      "     --netns host|new  run's network namespace (default "
	      "host)\n"
	      "     --target PATH     attach's mount point (default "
	      "/sys/fs/bpf)\n"
	      "\n"
	      "Options:\n"
	      "     --user USER|UID   ask for another user (root only)\n"
	      "     --json            print one JSON document\n"
	      " -h, --help            display this help\n"
	      " -V, --version         display version\n"
	      "\n"
	      "Exit status: 0 shown or allowed, 1 the policy is unsafe or "
	      "malformed,\n"
	      "2 usage, 3 --user of another user without root, 6 refused.\n"
	      "\n"
	      "See bpfdelegate(1).\n",
	      out);
}

enum { OPT_USER = OPT_FIRST_FREE, OPT_COMMAND, OPT_NETNS, OPT_TARGET };

struct policy_opts {
	struct cli_common co;
	const char *user;
	unsigned int cmd; /* 0: not given */
	int netns;	  /* -1 not given, 0 new, 1 host */
	const char *target;
};

static int policy_option(void *ctx, int c, const char *arg)
{
	struct policy_opts *o = ctx;

	switch (c) {
	case OPT_USER:
		o->user = arg;
		return 0;
	case OPT_COMMAND:
		o->cmd = strcmp(arg, "check") == 0    ? BPFD_POLICY_CHECK
			 : strcmp(arg, "run") == 0    ? BPFD_POLICY_RUN
			 : strcmp(arg, "attach") == 0 ? BPFD_POLICY_ATTACH
						      : 0;
		if (o->cmd)
			return 0;
		cli_usage_error("policy: --command: check, run or attach");
		return EXIT_USAGE;
	case OPT_NETNS:
		if (strcmp(arg, "host") && strcmp(arg, "new")) {
			cli_usage_error("policy: --netns: host or new");
			return EXIT_USAGE;
		}
		o->netns = strcmp(arg, "host") == 0;
		return 0;
	case OPT_TARGET:
		o->target = arg;
		return 0;
	}
	return -1;
}

/* The subject: the caller's real ids and groups, or --user's (root). */
static int subject(const struct policy_opts *o, struct bpfd_subject *who,
		   char *name, size_t len)
{
	struct passwd *pw;
	char *end, q[96];
	int n;

	who->kind = BPFD_SUBJECT_USER;
	if (!o->user) {
		who->uid = getuid();
		who->gid = getgid();
		n = getgroups(BPFD_CALLER_MAX_GROUPS, who->groups);
		if (n < 0) {
			fprintf(stderr, PROG ": policy: more than %d groups\n",
				BPFD_CALLER_MAX_GROUPS);
			return EXIT_FAIL;
		}
		who->ngroups = (size_t)n;
		pw = getpwuid(who->uid);
		snprintf(name, len, "%s", pw ? pw->pw_name : "?");
		return 0;
	}
	errno = 0;
	unsigned long v = strtoul(o->user, &end, 10);
	bool numeric = o->user[0] >= '0' && o->user[0] <= '9';

	if (numeric && (errno || *end || v >= UINT32_MAX)) {
		cli_usage_error("policy: --user: invalid uid %s",
				bpfd_quote(q, sizeof(q), o->user));
		return EXIT_USAGE;
	}
	pw = numeric ? getpwuid((uid_t)v) : getpwnam(o->user);
	if (!pw && !numeric) {
		fprintf(stderr, PROG ": policy: --user: no user %s\n",
			bpfd_quote(q, sizeof(q), o->user));
		return EXIT_FAIL;
	}
	who->uid = pw ? pw->pw_uid : (uid_t)v;
	if (getuid() != 0 && who->uid != getuid()) {
		fprintf(stderr,
			PROG ": policy: only root may ask about another "
			     "user\n");
		return EXIT_NOT_PRIVILEGED;
	}
	/* no passwd entry: no group to match (gid -1 is in no rule) */
	who->gid = pw ? pw->pw_gid : (gid_t)-1;
	n = BPFD_CALLER_MAX_GROUPS;
	if (pw && getgrouplist(pw->pw_name, pw->pw_gid, who->groups, &n) < 0)
		n = BPFD_CALLER_MAX_GROUPS; /* the first 64 */
	who->ngroups = pw ? (size_t)n : 0;
	snprintf(name, len, "%s", pw ? pw->pw_name : "?");
	return 0;
}

static const char *cmd_word(unsigned int c)
{
	return c == BPFD_POLICY_CHECK ? "check"
	       : c == BPFD_POLICY_RUN ? "run"
				      : "attach";
}

static void print_human(const struct bpfd_policy *p, const char *name,
			const struct bpfd_subject *who,
			const struct bpfd_verdict *v,
			const struct bpfd_names *names)
{
	printf("policy: %s (%zu file%s)\n", bpfd_policy_dir(),
	       bpfd_policy_nfiles(p), bpfd_policy_nfiles(p) == 1 ? "" : "s");
	printf("user: %s (uid %u)\n", name, (unsigned int)who->uid);
	if (!v->rule[0]) {
		printf("rule: none: %s; every request is refused (default "
		       "deny)\n",
		       v->reason);
		return;
	}
	printf("rule: %s\n", v->rule);
	for (int k = 0; k < BPFD_NKINDS; k++) {
		char list[1024];

		bpfd_format_list(names, (enum bpfd_kind)k, v->grant.mask[k],
				 list, sizeof(list));
		printf("  %-8s %s\n", bpfd_kind_name((enum bpfd_kind)k),
		       list[0] ? list : "(none)");
	}
	printf("commands:");
	for (unsigned int c = BPFD_POLICY_CHECK; c <= BPFD_POLICY_ATTACH;
	     c <<= 1)
		if (v->commands & c)
			printf(" %s", cmd_word(c));
	printf("\nnetns: %s\n", v->netns_host ? "host or new" : "new only");
	printf("paths: %s\n", v->paths);
}

static json_object *json_words(const char *s, char sep)
{
	json_object *a = json_object_new_array();

	while (*s) {
		size_t w = strcspn(s, (char[]){sep, 0});

		json_object_array_add(a, json_object_new_string_len(s, (int)w));
		s += w;
		if (*s)
			s++;
	}
	return a;
}

static json_object *deleg_json(const struct bpfd_delegation *d,
			       const struct bpfd_names *names)
{
	json_object *o = json_object_new_object();

	for (int k = 0; k < BPFD_NKINDS; k++) {
		char list[1024];

		bpfd_format_list(names, (enum bpfd_kind)k, d->mask[k], list,
				 sizeof(list));
		json_object_object_add(o, bpfd_kind_name((enum bpfd_kind)k),
				       json_object_new_string(list));
	}
	return o;
}

static void print_json(const struct bpfd_policy *p, const char *name,
		       const struct bpfd_subject *who,
		       const struct bpfd_verdict *shown,
		       const struct bpfd_request *req,
		       const struct bpfd_verdict *v,
		       const struct bpfd_names *names)
{
	json_object *o = json_object_new_object(), *u, *g, *c;

	json_object_object_add(o, "policy_dir",
			       json_object_new_string(bpfd_policy_dir()));
	json_object_object_add(o, "files",
			       json_object_new_int64(bpfd_policy_nfiles(p)));
	u = json_object_new_object();
	json_object_object_add(u, "name", json_object_new_string(name));
	json_object_object_add(u, "uid", json_object_new_int64(who->uid));
	g = json_object_new_array();
	for (size_t i = 0; i < who->ngroups; i++)
		json_object_array_add(g, json_object_new_int64(who->groups[i]));
	json_object_object_add(u, "groups", g);
	json_object_object_add(o, "user", u);
	json_object_object_add(
	    o, "rule",
	    shown->rule[0] ? json_object_new_string(shown->rule) : NULL);
	if (shown->rule[0]) {
		json_object_object_add(o, "grant",
				       deleg_json(&shown->grant, names));
		c = json_object_new_array();
		for (unsigned int k = BPFD_POLICY_CHECK;
		     k <= BPFD_POLICY_ATTACH; k <<= 1)
			if (shown->commands & k)
				json_object_array_add(
				    c, json_object_new_string(cmd_word(k)));
		json_object_object_add(o, "commands", c);
		json_object_object_add(
		    o, "netns_host",
		    json_object_new_boolean(shown->netns_host));
		json_object_object_add(o, "paths",
				       json_words(shown->paths, ','));
	} else {
		json_object_object_add(o, "reason",
				       json_object_new_string(shown->reason));
	}
	if (req) {
		json_object *r = json_object_new_object();

		json_object_object_add(
		    r, "command", json_object_new_string(cmd_word(req->cmd)));
		json_object_object_add(r, "delegation",
				       deleg_json(&req->deleg, names));
		json_object_object_add(
		    r, "netns_host", json_object_new_boolean(req->netns_host));
		json_object_object_add(
		    r, "target",
		    req->target ? json_object_new_string(req->target) : NULL);
		json_object_object_add(r, "allowed",
				       json_object_new_boolean(v->allowed));
		json_object_object_add(r, "reason",
				       json_object_new_string(v->reason));
		json_object_object_add(
		    r, "rule",
		    v->rule[0] ? json_object_new_string(v->rule) : NULL);
		json_object_object_add(o, "request", r);
	}
	puts(json_object_to_json_string_ext(
	    o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

/* The request from the options; 0, or an exit code (message printed). */
static int build_request(const struct policy_opts *o,
			 const struct bpfd_names *names,
			 struct bpfd_request *req)
{
	int r;

	req->cmd = o->cmd ? o->cmd : BPFD_POLICY_CHECK;
	r = cli_deleg_resolve_default(&o->co.deleg, names, &req->deleg, NULL,
				      "policy");
	if (r)
		return r;
	/* run shares the host's network namespace unless --netns new */
	req->netns_host =
	    o->netns >= 0 ? o->netns == 1 : req->cmd == BPFD_POLICY_RUN;
	if (o->target && req->cmd != BPFD_POLICY_ATTACH) {
		cli_usage_error("policy: --target applies to --command attach");
		return EXIT_USAGE;
	}
	req->target = req->cmd == BPFD_POLICY_ATTACH
			  ? (o->target ? o->target : BPFD_DEFAULT_TARGET)
			  : NULL;
	return 0;
}

int cmd_policy(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"user", required_argument, NULL, OPT_USER},
	    {"command", required_argument, NULL, OPT_COMMAND},
	    {"netns", required_argument, NULL, OPT_NETNS},
	    {"target", required_argument, NULL, OPT_TARGET},
	    {NULL, 0, NULL, 0},
	};
	struct policy_opts o = {.netns = -1};
	const struct cli_parser parser = {
	    .cmd = "policy",
	    .flags = CLI_DELEG | CLI_JSON,
	    .longopts = longopts,
	    .usage = usage,
	    .option = policy_option,
	    .ctx = &o,
	    .max_operands = 0,
	};
	struct bpfd_subject who = {0};
	struct bpfd_request none = {.cmd = BPFD_POLICY_CHECK}, req = {0};
	struct bpfd_verdict shown, v = {0};
	struct bpfd_error e = {0};
	struct bpfd_policy *p = NULL;
	struct bpfd_names *names = NULL;
	bool asked;
	char name[256];
	int r, first;

	r = cli_parse(argc, argv, &parser, &o.co, &first);
	if (r)
		return r < 0 ? EXIT_OK : r;
	asked =
	    o.cmd || !cli_deleg_empty(&o.co.deleg) || o.netns >= 0 || o.target;
	r = subject(&o, &who, name, sizeof(name));
	if (r)
		return r;
	names = cli_load_names();
	if (!names)
		return EXIT_FAIL;
	r = asked ? build_request(&o, names, &req) : 0;
	if (r)
		goto out;
	if (bpfd_policy_load(bpfd_policy_dir(), names, &p, &e) < 0) {
		cli_print_error(&e);
		r = EXIT_FAIL;
		goto out;
	}
	/* The rule that applies, whatever is asked: an empty request. */
	bpfd_policy_decide(p, &who, &none, &shown);
	r = asked && bpfd_policy_decide(p, &who, &req, &v) < 0 ? EXIT_POLICY
							       : EXIT_OK;
	if (o.co.json) {
		print_json(p, name, &who, &shown, asked ? &req : NULL, &v,
			   names);
	} else {
		print_human(p, name, &who, &shown, names);
		if (asked && v.allowed)
			puts("allowed");
		else if (asked)
			printf("refused: %s (%s%s)\n", v.reason,
			       v.rule[0] ? "rule " : "no rule: default deny",
			       v.rule);
	}
out:
	bpfd_policy_free(p);
	bpfd_names_free(names);
	return r;
}
