// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fabricd's control socket, for fabstat (see doctor_fabricd.h). */
#include "tools/doctor_fabricd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/ctl.h"
#include "lib/policy.h"
#include "tools/doctor.h"
#include "tools/fabstat.h"

#define CTL_TIMEOUT_MS 2000

const char *doctor_fabricd_socket(void)
{
	const char *s = getenv("FABRICD_CTL_SOCKET");

	return s && s[0] ? s : CTL_DEFAULT_SOCKET;
}

const char *doctor_fabricd_str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int fd_call(struct ctl_client *c, const char *method, json_t **res,
		   char *err, size_t len)
{
	char *msg = NULL;
	int ret;

	*res = NULL;
	ret = ctl_client_call(c, method, 0, NULL, CTL_TIMEOUT_MS, res, &msg);
	if (ret && err)
		snprintf(err, len, "%s", msg ? msg : strerror(-ret));
	free(msg);
	return ret;
}

void doctor_fabricd_read(struct doctor_env *e)
{
	struct ctl_client *c = ctl_client_open(e->socket, CTL_TIMEOUT_MS);

	if (!c) {
		e->fd_err = -errno;
		return;
	}
	e->fd_err = fd_call(c, "status", &e->fd_status, NULL, 0);
	if (!e->fd_err)
		e->fd_err = fd_call(c, "partitions", &e->fd_parts, NULL, 0);
	if (!e->fd_err && fd_call(c, "port/list", &e->fd_ports, e->fd_ports_err,
				  sizeof(e->fd_ports_err)))
		e->fd_ports = NULL;
	if (!e->fd_err && fd_call(c, "ha/show", &e->fd_ha, NULL, 0))
		e->fd_ha = NULL; /* a fabricd without gateway groups */
	ctl_client_close(c);
}

/* The member of array @arr whose string @key is @name, or NULL. */
static json_t *find_by(json_t *arr, const char *key, const char *name)
{
	const char *n;
	json_t *v;
	size_t i;

	json_array_foreach(arr, i, v) {
		n = doctor_fabricd_str(v, key);
		if (n && !strcmp(n, name))
			return v;
	}
	return NULL;
}

static json_t *find_named(json_t *arr, const char *name)
{
	return find_by(arr, "name", name);
}

json_t *doctor_fabricd_partition(const struct doctor_env *e, const char *name)
{
	return find_named(e->fd_parts, name);
}

static const char *jstr_or(json_t *o, const char *key, const char *dflt)
{
	return doctor_fabricd_str(o, key) ?: dflt;
}

static long long fd_pid(const struct doctor_env *e)
{
	return (long long)json_integer_value(
		json_object_get(e->fd_status, "pid"));
}

static void check_datapath(const struct doctor_env *e, struct doctor_part *p)
{
	const char *up = e->gw->uplink;
	struct doctor_check *c;
	json_t *port;

	if (!e->fd_ports) {
		doctor_add(p, "datapath", DOCTOR_SKIPPED,
			   "fabricd has no datapath (port/list: %s)",
			   e->fd_ports_err);
		return;
	}
	port = find_named(e->fd_ports, up);
	if (!port) {
		c = doctor_add(p, "datapath", DOCTOR_PROBLEM,
			       "fabricd's datapath has no trunk port %s", up);
		doctor_fix(c, "fabricctl port add %s trunk", up);
	} else if (strcmp(jstr_or(port, "state", ""), "up")) {
		c = doctor_add(p, "datapath", DOCTOR_PROBLEM,
			       "datapath port %s is %s (%s)", up,
			       jstr_or(port, "state", "?"),
			       jstr_or(port, "error", "no error"));
		doctor_fix(
			c,
			"fabricctl port del %s && fabricctl port add %s trunk",
			up, up);
	} else {
		doctor_add(p, "datapath", DOCTOR_OK, "trunk port %s up", up);
	}
}

static void check_running(const struct doctor_env *e, struct doctor_part *p)
{
	struct doctor_check *c;

	if (!e->fd_err) {
		doctor_add(p, "fabricd", DOCTOR_OK, "pid %lld", fd_pid(e));
		return;
	}
	c = doctor_add(p, "fabricd", DOCTOR_PROBLEM,
		       "fabricd is not running (%s: %s)", e->socket,
		       strerror(-e->fd_err));
	doctor_fix(
		c,
		"systemctl start fabricd (or: fabricd --policy %s --gateway %s)",
		e->o->policy->file, e->gw->name);
}

/* fabricd cannot read or write its state file: ownership is at risk. */
static void check_state(const struct doctor_env *e, struct doctor_part *p)
{
	json_t *rc = json_object_get(e->fd_status, "reconcile");
	const char *err = doctor_fabricd_str(rc, "state_error");
	struct doctor_check *c;

	if (!err) {
		doctor_add(p, "fabricd-state", DOCTOR_OK, "state file in use");
		return;
	}
	c = doctor_add(p, "fabricd-state", DOCTOR_PROBLEM, "%s", err);
	doctor_fix(
		c,
		"fix the state directory, or fabricctl reconcile --adopt (fabricd takes what matches the policy)");
}

static const char *fd_memb(const struct doctor_part *p)
{
	return jstr_or(p->fd_part, "membership", "?");
}

/* Does fabricd know the partition with our PKey and VLAN? */
static bool same_policy(const struct doctor_part *p)
{
	char pkey[8];

	snprintf(pkey, sizeof(pkey), "0x%04x", p->part->pkey);
	return p->fd_part && !strcmp(jstr_or(p->fd_part, "pkey", ""), pkey) &&
	       json_integer_value(json_object_get(p->fd_part, "vlan")) ==
		       p->part->vlan;
}

/* fabricd's view of the partition against ours. */
static void check_agrees(const struct doctor_env *e, struct doctor_part *p)
{
	const char *state = jstr_or(p->fd_part, "state", "?");
	const char *memb = doctor_memb_name(p->fabric_memb);
	struct doctor_check *c;

	if (!same_policy(p)) {
		c = doctor_add(p, "fabricd-agrees", DOCTOR_PROBLEM,
			       "fabricd's policy (%s) differs for %s",
			       jstr_or(e->fd_status, "policy", "?"),
			       p->part->name);
		doctor_fix(c, "kill -HUP %lld (fabricd re-reads its policy)",
			   fd_pid(e));
	} else if (!e->ib_err && strcmp(fd_memb(p), memb)) {
		c = doctor_add(p, "fabricd-agrees", DOCTOR_PROBLEM,
			       "fabricd sees membership %s, the port holds %s",
			       fd_memb(p), memb);
		doctor_fix(c,
			   "fabricctl status (ib.error), then kill -HUP %lld",
			   fd_pid(e));
	} else if (strcmp(state, "ready") && p->served &&
		   !doctor_has_problem(p)) {
		c = doctor_add(p, "fabricd-agrees", DOCTOR_PROBLEM,
			       "fabricd reports %s as %s", p->part->name,
			       state);
		doctor_fix(c, "fabricctl partition show %s; see fabricd's log",
			   p->part->name);
	} else {
		doctor_add(p, "fabricd-agrees", DOCTOR_OK, "%s, membership %s",
			   state, fd_memb(p));
	}
}

/* "a, b" of the names in array @a into @buf. */
static const char *names(json_t *a, char *buf, size_t len)
{
	size_t i, off = 0;
	json_t *v;

	buf[0] = '\0';
	json_array_foreach(a, i, v)
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0,
					"%s%s", i ? ", " : "",
					json_string_value(v));
	return buf;
}

/* A partition with a gateway group has exactly one active gateway. */
static void check_ha(const struct doctor_env *e, struct doctor_part *p)
{
	json_t *g = find_by(e->fd_ha, "partition", p->part->name);
	json_t *m = json_object_get(g, "masters");
	struct doctor_check *c;
	char buf[DOCTOR_TEXT];

	if (!g)
		return;
	if (!json_array_size(m)) {
		c = doctor_add(p, "gateway-group", DOCTOR_PROBLEM,
			       "no active gateway (this one is %s: %s)",
			       jstr_or(g, "state", "?"),
			       jstr_or(g, "reason", "?"));
		doctor_fix(c,
			   "fabricctl ha show on each gateway of the group; "
			   "a gateway is a candidate only with an Ethernet "
			   "port of the partition up and its ipoib port open");
	} else if (json_array_size(m) > 1) {
		c = doctor_add(p, "gateway-group", DOCTOR_PROBLEM,
			       "%zu active gateways: %s", json_array_size(m),
			       names(m, buf, sizeof(buf)));
		doctor_fix(c, "the gateways must hear each other's "
			      "advertisements (fabricctl -j ha show: "
			      "adverts_rx, adverts_rx_eth)");
	} else {
		doctor_add(p, "gateway-group", DOCTOR_OK,
			   "active gateway %s, this one %s",
			   names(m, buf, sizeof(buf)),
			   jstr_or(g, "state", "?"));
	}
}

void doctor_fabricd_check(const struct doctor_env *e, struct doctor_part *p,
			  bool uplink_ok)
{
	if (uplink_ok && !e->fd_err)
		check_datapath(e, p);
	check_running(e, p);
	if (!e->fd_err)
		check_state(e, p);
	if (!e->fd_err)
		check_agrees(e, p);
	if (!e->fd_err && e->fd_ha)
		check_ha(e, p);
}
