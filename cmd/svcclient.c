// SPDX-License-Identifier: GPL-2.0-or-later
/* The CLI's way to `bpfdelegate serve`: see svcclient.h. */
#include <string.h>
#include <sys/capability.h>
#include <sys/stat.h>

#include <bpfdelegate/userns.h>

#include "svcclient.h"

static bool permitted_sys_admin(void)
{
	cap_t caps = cap_get_proc();
	cap_flag_value_t v = CAP_CLEAR;

	if (caps && cap_get_flag(caps, CAP_SYS_ADMIN, CAP_PERMITTED, &v) < 0)
		v = CAP_CLEAR;
	cap_free(caps);
	return v == CAP_SET;
}

/* A socket at the service's path (socket activation keeps it there). */
static bool service_installed(void)
{
	struct stat st;

	return stat(bpfd_service_socket(), &st) == 0 && S_ISSOCK(st.st_mode);
}

bool cli_service_wanted(bool always_in_userns)
{
	bool init = bpfd_in_initial_userns();

	if (!init)
		return always_in_userns && service_installed();
	if (bpfd_check_privilege(NULL) == 0)
		return false;
	/* The file-capability helper holds it permitted only. */
	return !permitted_sys_admin() && service_installed();
}

void cli_service_use(struct cli_service *s, struct bpfd_engine_opts *eo,
		     enum bpfd_policy_cmd cmd, int target_pidfd)
{
	memset(s, 0, sizeof(*s));
	s->client.socket_path = bpfd_service_socket();
	s->client.cmd = cmd;
	s->client.netns_host = cmd == BPFD_POLICY_RUN && !eo->new_netns;
	s->client.target = cmd == BPFD_POLICY_ATTACH
			       ? (eo->target ? eo->target : BPFD_DEFAULT_TARGET)
			       : NULL;
	s->client.target_pidfd = target_pidfd;
	s->client.timeout_ms = eo->timeout_ms;
	s->op = bpfd_service_privop(&s->client);
	eo->privop = &s->op;
}
