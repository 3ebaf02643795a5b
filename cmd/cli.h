/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared pieces of the bpfdelegate CLI. */
#ifndef BPFD_CLI_H
#define BPFD_CLI_H

#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>

#include <bpfdelegate/delegation.h>
#include <bpfdelegate/engine.h>
#include <bpfdelegate/error.h>

/* The library's internal helpers: cleanup attributes, ARRAY_SIZE, ... */
#include "internal.h"

/* Exit codes: documented in bpfdelegate(1) and in usage(). */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		    /* the check failed: a step or a probe */
	EXIT_USAGE = 2,		    /* bad command line */
	EXIT_NOT_PRIVILEGED = 3,    /* no CAP_SYS_ADMIN in the initial userns */
	EXIT_NO_KERNEL_SUPPORT = 4, /* kernel lacks BPF tokens (< 6.9) */
	EXIT_NO_USERNS = 5,	    /* user namespaces unavailable */
	EXIT_POLICY = 6, /* the administrator's policy refused (issue 12) */
};

#define PROG "bpfdelegate"

/*
 * The static bpfdelegate (cmd/main.c, BPFD_FULL_PATH) cannot resolve user
 * or group names (NSS) or load libmount: it re-executes its dynamically
 * linked twin, with the same arguments, for @why (named if that fails).
 * Call it before anything has been done.  A no-op in the dynamic binary.
 */
void cli_need_dynamic(const char *why);

struct cli_command {
	const char *name;
	int (*handler)(int argc, char **argv);
	const char *summary;
};

/* The delegation options every command shares. */
#define CLI_DELEG_SHORTOPTS "c:m:p:a:"
enum { OPT_PRESET = 0x100, OPT_JSON, OPT_TIMEOUT, OPT_FIRST_FREE };
#define CLI_DELEG_LONGOPTS                                                     \
	{"cmds", required_argument, NULL, 'c'},                                \
	    {"maps", required_argument, NULL, 'm'},                            \
	    {"progs", required_argument, NULL, 'p'},                           \
	    {"attachs", required_argument, NULL, 'a'},                         \
	{                                                                      \
		"preset", required_argument, NULL, OPT_PRESET                  \
	}

#define CLI_MAX_ITEMS 64

struct cli_deleg {
	unsigned int n;
	struct {
		int kind; /* enum bpfd_kind, or -1 for a preset */
		const char *arg;
	} item[CLI_MAX_ITEMS];
	bool list_presets;
};

/* What the commands' command lines share. */
struct cli_common {
	struct cli_deleg deleg;
	bool json;
	int timeout_ms; /* BPFD_DEFAULT_TIMEOUT_MS unless --timeout */
};

/* Shared options a command takes. */
enum {
	CLI_DELEG = 1,	 /* -c -m -p -a --preset */
	CLI_JSON = 2,	 /* --json */
	CLI_TIMEOUT = 4, /* --timeout SECS */
	CLI_PERMUTE = 8, /* options may follow operands (GNU getopt order) */
};

/* One command's command line. */
struct cli_parser {
	const char *cmd;	       /* "check" */
	unsigned int flags;	       /* CLI_DELEG | CLI_JSON | CLI_TIMEOUT */
	const struct option *longopts; /* its own, NULL-terminated, or NULL */
	void (*usage)(FILE *out);
	/* Its own option: 0 taken, > 0 an exit code (error printed). */
	int (*option)(void *ctx, int c, const char *arg);
	void *ctx;
	int max_operands; /* -1: any number */
};

/*
 * getopt_long over @argv (options stop at the first operand unless
 * CLI_PERMUTE): shared
 * options into @co, the command's own to p->option; -h, -V and --preset
 * list handled.  Returns 0 with *first set to the first operand's index,
 * -1 when help, the version or the presets were printed (exit 0), or an
 * exit code (message printed).
 */
int cli_parse(int argc, char **argv, const struct cli_parser *p,
	      struct cli_common *co, int *first);

/*
 * Take one getopt result.  Returns 1 when @opt was a delegation option,
 * 0 when it was not, -1 on a usage error (message printed).
 */
int cli_deleg_option(struct cli_deleg *d, int opt, const char *arg);

/* True when no delegation option was given. */
bool cli_deleg_empty(const struct cli_deleg *d);

/*
 * The items into masks, without printing: -1 when all resolve, else the
 * index of the first bad item, with @e (caller-zeroed) saying why.
 */
int cli_deleg_masks(const struct cli_deleg *d, const struct bpfd_names *names,
		    struct bpfd_delegation *out,
		    struct bpfd_preset_skipped *skipped, struct bpfd_error *e);

/* The names presets left out (this kernel lacks them), as notes on stderr. */
void cli_print_skipped(const struct bpfd_preset_skipped *s);

/* Print the presets with their contents (--preset list), or as JSON. */
void cli_print_presets(bool json);

/* Load the kernel's names (BTF, else the built-in table); NULL on error. */
struct bpfd_names *cli_load_names(void);

/* True when every item of @d is "any" (or the preset "all"), or none. */
bool cli_deleg_any_only(const struct cli_deleg *d);

/*
 * The names for @d: the built-in table when cli_deleg_any_only(@d), for a
 * command that prints nothing by name and probes nothing; else as
 * cli_load_names().
 */
struct bpfd_names *cli_load_names_for(const struct cli_deleg *d);

/* Parse --timeout SECONDS (fractions allowed) into ms; -1 on error. */
int cli_parse_timeout(const char *arg);

/* The exit code for a failed engine run. */
int cli_exit_code(const struct bpfd_error *e);
/* "this kernel (RELEASE) lacks BPF token support: Linux 6.9 or newer is
 * needed": what goes with EXIT_NO_KERNEL_SUPPORT (a static buffer). */
const char *cli_kernel_verdict(void);

/* "bpfdelegate: <formatted error>" on stderr, plus a version hint. */
void cli_print_error(const struct bpfd_error *e);

void cli_usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/*
 * The options into masks; none given means "any" for all four.  Names a
 * preset lists that this kernel lacks are left out, noted on stderr and in
 * @skipped (may be NULL).  Returns 0, or the exit code with its message
 * printed: EXIT_USAGE (also for an all-zero delegation), or
 * EXIT_NO_KERNEL_SUPPORT when the LIST does not resolve on a kernel
 * without BPF tokens.
 */
int cli_deleg_resolve_default(const struct cli_deleg *d,
			      const struct bpfd_names *names,
			      struct bpfd_delegation *out,
			      struct bpfd_preset_skipped *skipped,
			      const char *cmd);

/* The usage error for a getopt failure of @cmd. */
void cli_bad_option(const char *cmd, int optopt_, const char *arg);

/*
 * attach, oci-hook: block SIGTERM, SIGINT and SIGHUP, and put them in @set
 * for the engine (opts->stop_signals), which then ends the handshake and
 * undoes its mount when one arrives.  They stay blocked until exit: one
 * that comes after a success must not kill us between mounting and
 * saying so.
 */
void cli_stop_signals_block(sigset_t *set);

/*
 * After a failed engine run: the stop signal that ended it (taken from
 * the pending ones in @set), -1 if it is gone, 0 when it ended otherwise.
 */
int cli_stop_signal(const struct bpfd_error *e, const sigset_t *set);

int cmd_check(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_attach(int argc, char **argv);
int cmd_oci_hook(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_names(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_suggest(int argc, char **argv);
int cmd_policy(int argc, char **argv);
/* suggest --learn (cmd/suggest_learn.c): argv[0] is "suggest".  cmd_suggest
 * hands the command line over when suggest_is_learn() says so. */
int cmd_suggest_learn(int argc, char **argv);
bool suggest_is_learn(int argc, char **argv);
int cmd_serve(int argc, char **argv);

#endif
