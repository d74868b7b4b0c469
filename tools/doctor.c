// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fabstat doctor's checks and the gateway look-up (see doctor.h). */
#include "tools/doctor.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lib/policy.h"
#include "tools/doctor_fabricd.h"
#include "tools/fabstat.h"

struct doctor_check *doctor_add(struct doctor_part *p, const char *id,
				enum doctor_result r, const char *fmt, ...)
{
	static struct doctor_check overflow;
	struct doctor_check *c;
	va_list ap;

	c = p->n_checks < DOCTOR_MAX_CHECKS ? &p->checks[p->n_checks++] :
					      &overflow;
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->result = r;
	va_start(ap, fmt);
	vsnprintf(c->detail, sizeof(c->detail), fmt, ap);
	va_end(ap);
	return c;
}

void doctor_fix(struct doctor_check *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->fix, sizeof(c->fix), fmt, ap);
	va_end(ap);
}

void doctor_fix_sm_hup(struct doctor_check *c, const char *first)
{
	doctor_fix(c, "%s; then kill -HUP $(pidof opensm)", first);
}

bool doctor_has_problem(const struct doctor_part *p)
{
	unsigned int i;

	for (i = 0; i < p->n_checks; i++)
		if (p->checks[i].result == DOCTOR_PROBLEM)
			return true;
	return false;
}

const char *doctor_memb_name(unsigned int bits)
{
	switch (bits) {
	case POLICY_MEMB_BIT_FULL:
		return "full";
	case POLICY_MEMB_BIT_LIMITED:
		return "limited";
	case POLICY_MEMB_BIT_FULL | POLICY_MEMB_BIT_LIMITED:
		return "both";
	}
	return "none";
}

/* The gateway whose port GUID is ours, or NULL. */
static const struct policy_gateway *gateway_by_guid(const struct policy *pol,
						    uint64_t guid)
{
	size_t i;

	for (i = 0; guid && i < pol->n_gateways; i++)
		if (pol->gateways[i].port_guid == guid)
			return &pol->gateways[i];
	return NULL;
}

int doctor_env_gateway(struct doctor_env *e)
{
	const struct policy *pol = e->o->policy;
	const char *name = doctor_fabricd_str(e->fd_status, "gateway");
	char host[256] = "";

	if (e->gw_name) {
		e->gw = policy_find_gateway(pol, e->gw_name);
		e->gw_how = "--gateway";
		return e->gw ? 0 : -ENOENT;
	}
	if (name && (e->gw = policy_find_gateway(pol, name))) {
		e->gw_how = "fabricd";
		return 0;
	}
	e->gw = gateway_by_guid(pol, e->port_guid);
	if (e->gw) {
		e->gw_how = "port GUID";
		return 0;
	}
	gethostname(host, sizeof(host) - 1);
	e->gw = policy_find_gateway(pol, host);
	e->gw_how = "host name";
	return 0;
}
