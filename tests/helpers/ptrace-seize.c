// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ptrace-seize PID: try PTRACE_SEIZE on PID, the first step of taking over
 * a process, and say whether the kernel allowed it ("seized", exit 0) or
 * not ("PTRACE_SEIZE: <strerror>", exit 1).  The tracee is released when
 * we exit.  Used by the CLI tests: a child of bpfdelegate in a namespace
 * must not be seizable by the processes of that namespace.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>

int main(int argc, char **argv)
{
	char *end;
	long pid;

	if (argc != 2) {
		fprintf(stderr, "usage: ptrace-seize PID\n");
		return 2;
	}
	pid = strtol(argv[1], &end, 10);
	if (*end || pid <= 0) {
		fprintf(stderr, "ptrace-seize: bad pid '%s'\n", argv[1]);
		return 2;
	}
	if (ptrace(PTRACE_SEIZE, (pid_t)pid, NULL, NULL) < 0) {
		printf("PTRACE_SEIZE: %s\n", strerror(errno));
		return 1;
	}
	printf("seized\n");
	return 0;
}
