// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "lib/policy_diff.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/util.h"

struct differ {
	policy_diff_fn fn;
	void *ctx;
	unsigned int n;
};

static void emit(struct differ *d, const char *object, const char *name,
		 const char *key, enum policy_change change, const char *ov,
		 const char *nv, const char *scope)
{
	struct policy_diff_item it = {
		object, name, key, change, ov, nv, scope
	};

	d->n++;
	d->fn(d->ctx, &it);
}

/* Compare one field given as text; emits when it differs. */
static void field(struct differ *d, const char *object, const char *name,
		  const char *key, const char *ov, const char *nv,
		  const char *scope)
{
	if (strcmp(ov, nv))
		emit(d, object, name, key, POLICY_CHANGED, ov, nv, scope);
}

static void field_uint(struct differ *d, const char *name, const char *key,
		       bool hex, unsigned int ov, unsigned int nv,
		       const char *scope)
{
	char a[32], b[32];

	snprintf(a, sizeof(a), hex ? "0x%04x" : "%u", ov);
	snprintf(b, sizeof(b), hex ? "0x%04x" : "%u", nv);
	field(d, "partition", name, key, a, b, scope);
}

static void member_key(const struct policy_member *m, char *buf, size_t len)
{
	if (m->sel == POLICY_SEL_GUID)
		util_format_guid(m->guid, buf, len);
	else if (m->sel == POLICY_SEL_NODE)
		snprintf(buf, len, "node \"%s\"", m->node ? m->node : "");
	else
		util_strlcpy(buf, policy_selector_name(m->sel), len);
}

static const struct policy_member *find_member(const struct policy_partition *p,
					       const struct policy_member *m)
{
	size_t i;

	for (i = 0; i < p->n_members; i++)
		if (p->members[i].sel == m->sel &&
		    (m->sel != POLICY_SEL_GUID ||
		     p->members[i].guid == m->guid) &&
		    (m->sel != POLICY_SEL_NODE ||
		     !strcmp(p->members[i].node ? p->members[i].node : "",
			     m->node ? m->node : "")))
			return &p->members[i];
	return NULL;
}

static void diff_members(struct differ *d, const struct policy_partition *a,
			 const struct policy_partition *b)
{
	const struct policy_member *o;
	char key[POLICY_NODE_PATTERN_MAX + 8];
	size_t i;

	for (i = 0; i < a->n_members; i++) {
		member_key(&a->members[i], key, sizeof(key));
		if (!find_member(b, &a->members[i]))
			emit(d, "member", a->name, key, POLICY_REMOVED,
			     policy_membership_name(a->members[i].membership),
			     NULL, "fabric");
	}
	for (i = 0; i < b->n_members; i++) {
		const char *nm =
			policy_membership_name(b->members[i].membership);

		member_key(&b->members[i], key, sizeof(key));
		o = find_member(a, &b->members[i]);
		if (!o)
			emit(d, "member", b->name, key, POLICY_ADDED, NULL, nm,
			     "fabric");
		else
			field(d, "member", b->name, key,
			      policy_membership_name(o->membership), nm,
			      "fabric");
	}
}

static void diff_partition(struct differ *d, const struct policy_partition *a,
			   const struct policy_partition *b)
{
	char x[64], y[64];

	field_uint(d, b->name, "pkey", true, a->pkey, b->pkey,
		   "fabric,gateways");
	field_uint(d, b->name, "vlan", false, a->vlan, b->vlan, "gateways");
	field_uint(d, b->name, "ipoib", false, a->ipoib, b->ipoib, "fabric");
	field_uint(d, b->name, "peer", false, a->peer, b->peer, "gateways");
	field_uint(d, b->name, "mtu", false, a->mtu, b->mtu, "fabric");
	field_uint(d, b->name, "sl", false, a->sl, b->sl, "fabric");
	field_uint(d, b->name, "fdb_limit", false, a->fdb_limit, b->fdb_limit,
		   "gateways");
	field(d, "partition", b->name, "ipv4",
	      policy_prefix_format(&a->ipv4, x, sizeof(x)),
	      policy_prefix_format(&b->ipv4, y, sizeof(y)), "gateways");
	field(d, "partition", b->name, "ipv6",
	      policy_prefix_format(&a->ipv6, x, sizeof(x)),
	      policy_prefix_format(&b->ipv6, y, sizeof(y)), "gateways");
	diff_members(d, a, b);
}

static void partition_summary(const struct policy_partition *p, char *buf,
			      size_t len)
{
	snprintf(buf, len, "pkey 0x%04x vlan %u, %zu members", p->pkey, p->vlan,
		 p->n_members);
}

static void diff_partitions(struct differ *d, const struct policy *a,
			    const struct policy *b)
{
	const struct policy_partition *o;
	char s[96];
	size_t i;

	for (i = 0; i < a->n_partitions; i++) {
		if (policy_find_partition(b, a->partitions[i].name))
			continue;
		partition_summary(&a->partitions[i], s, sizeof(s));
		emit(d, "partition", a->partitions[i].name, NULL,
		     POLICY_REMOVED, s, NULL, "fabric,gateways");
	}
	for (i = 0; i < b->n_partitions; i++) {
		o = policy_find_partition(a, b->partitions[i].name);
		if (o) {
			diff_partition(d, o, &b->partitions[i]);
			continue;
		}
		partition_summary(&b->partitions[i], s, sizeof(s));
		emit(d, "partition", b->partitions[i].name, NULL, POLICY_ADDED,
		     NULL, s, "fabric,gateways");
	}
}

static const struct policy_lid_pin *find_pin(const struct policy *p,
					     uint64_t guid)
{
	size_t i;

	for (i = 0; i < p->n_lid_pins; i++)
		if (p->lid_pins[i].guid == guid)
			return &p->lid_pins[i];
	return NULL;
}

static void diff_pins(struct differ *d, const struct policy *a,
		      const struct policy *b)
{
	const struct policy *sides[2] = { a, b };
	char g[24], x[16], y[16];
	size_t i, s;

	for (s = 0; s < 2; s++) {
		for (i = 0; i < sides[s]->n_lid_pins; i++) {
			const struct policy_lid_pin *p = &sides[s]->lid_pins[i];
			const struct policy_lid_pin *o =
				find_pin(sides[!s], p->guid);

			util_format_guid(p->guid, g, sizeof(g));
			snprintf(x, sizeof(x), "0x%04x", p->lid);
			if (!o)
				emit(d, "lid_pin", g, NULL,
				     s ? POLICY_ADDED : POLICY_REMOVED,
				     s ? NULL : x, s ? x : NULL, "fabric");
			else if (s) {
				snprintf(y, sizeof(y), "0x%04x", o->lid);
				field(d, "lid_pin", g, NULL, y, x, "fabric");
			}
		}
	}
}

static void addrs_text(const struct policy_gw_addrs *ga, char *buf, size_t len)
{
	char one[64];
	size_t i;

	buf[0] = '\0';
	for (i = 0; ga && i < ga->n_addrs; i++) {
		policy_prefix_format(&ga->addrs[i], one, sizeof(one));
		if (i)
			strncat(buf, " ", len - strlen(buf) - 1);
		strncat(buf, one, len - strlen(buf) - 1);
	}
}

static const struct policy_gw_addrs *
gw_addrs_by_name(const struct policy_gateway *gw, const char *part)
{
	size_t i;

	for (i = 0; i < gw->n_addrs; i++)
		if (!strcmp(gw->addrs[i].partition->name, part))
			return &gw->addrs[i];
	return NULL;
}

/* "ta:200 tb:100": the gateway's priorities in its groups, or "none". */
static void prios_text(const struct policy_gateway *gw, char *buf, size_t len)
{
	size_t i, off = 0;

	snprintf(buf, len, "none");
	for (i = 0; i < gw->n_prios && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s:%u",
					i ? " " : "",
					gw->prios[i].partition->name,
					gw->prios[i].priority);
}

static void diff_gateway(struct differ *d, const struct policy_gateway *a,
			 const struct policy_gateway *b)
{
	const struct policy_gateway *gws[2] = { a, b };
	char x[256], y[256];
	size_t i, s;

	field(d, "gateway", b->name, "uplink", a->uplink, b->uplink,
	      "gateways");
	util_format_guid(a->port_guid, x, sizeof(x));
	util_format_guid(b->port_guid, y, sizeof(y));
	field(d, "gateway", b->name, "port_guid", x, y, "gateways");
	prios_text(a, x, sizeof(x));
	prios_text(b, y, sizeof(y));
	field(d, "gateway", b->name, "priority", x, y, "gateways");
	/* Addresses by partition, from both sides; changes reported once. */
	for (s = 0; s < 2; s++) {
		for (i = 0; i < gws[s]->n_addrs; i++) {
			const char *pn = gws[s]->addrs[i].partition->name;
			const struct policy_gw_addrs *o =
				gw_addrs_by_name(gws[!s], pn);

			if (s == 1 && o)
				continue;
			addrs_text(s ? o : &gws[0]->addrs[i], x, sizeof(x));
			addrs_text(s ? &gws[1]->addrs[i] : o, y, sizeof(y));
			field(d, "gateway", b->name, pn, x, y, "gateways");
		}
	}
}

static void diff_gateways(struct differ *d, const struct policy *a,
			  const struct policy *b)
{
	const struct policy_gateway *o;
	size_t i;

	for (i = 0; i < a->n_gateways; i++)
		if (!policy_find_gateway(b, a->gateways[i].name))
			emit(d, "gateway", a->gateways[i].name, NULL,
			     POLICY_REMOVED, a->gateways[i].uplink, NULL,
			     "gateways");
	for (i = 0; i < b->n_gateways; i++) {
		o = policy_find_gateway(a, b->gateways[i].name);
		if (o)
			diff_gateway(d, o, &b->gateways[i]);
		else
			emit(d, "gateway", b->gateways[i].name, NULL,
			     POLICY_ADDED, NULL, b->gateways[i].uplink,
			     "gateways");
	}
}

static const struct policy_port *find_port(const struct policy *p,
					   const char *name)
{
	size_t i;

	for (i = 0; i < p->n_ports; i++)
		if (!strcmp(p->ports[i].name, name))
			return &p->ports[i];
	return NULL;
}

static void port_text(const struct policy_port *p, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s %s", p->partition->name,
			 policy_membership_name(p->membership));

	if (p->fdb_limit >= 0 && n > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - n, " fdb_limit %d", p->fdb_limit);
	if (p->tap.create && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - n,
			 " create tap owner %ld group %ld "
			 "queues %u",
			 p->tap.uid, p->tap.gid, p->tap.queues);
}

static void diff_ports(struct differ *d, const struct policy *a,
		       const struct policy *b)
{
	const struct policy_port *o;
	char x[96], y[96];
	size_t i;

	for (i = 0; i < a->n_ports; i++) {
		if (find_port(b, a->ports[i].name))
			continue;
		port_text(&a->ports[i], x, sizeof(x));
		emit(d, "port", a->ports[i].name, NULL, POLICY_REMOVED, x, NULL,
		     "hosts");
	}
	for (i = 0; i < b->n_ports; i++) {
		o = find_port(a, b->ports[i].name);
		port_text(&b->ports[i], y, sizeof(y));
		if (!o) {
			emit(d, "port", b->ports[i].name, NULL, POLICY_ADDED,
			     NULL, y, "hosts");
			continue;
		}
		port_text(o, x, sizeof(x));
		field(d, "port", b->ports[i].name, NULL, x, y, "hosts");
	}
}

static void metrics_text(const struct policy_metrics *m, char *buf, size_t len)
{
	if (m->textfile_dir)
		snprintf(buf, len, "%s every %u s", m->textfile_dir,
			 m->interval);
	else
		snprintf(buf, len, "none");
}

static void diff_metrics(struct differ *d, const struct policy *a,
			 const struct policy *b)
{
	char x[4200], y[4200];

	metrics_text(&a->metrics, x, sizeof(x));
	metrics_text(&b->metrics, y, sizeof(y));
	field(d, "metrics", "textfile", NULL, x, y, "hosts");
}

static void flow_text(const struct policy_flow_export *f, char *buf, size_t len)
{
	if (f->collector)
		snprintf(buf, len,
			 "%s sampling %u active %u s idle %u s domain %u "
			 "cache %u flows, %u%% per partition",
			 f->collector, f->sampling, f->active_timeout,
			 f->idle_timeout, f->observation_domain, f->cache_size,
			 f->partition_share);
	else
		snprintf(buf, len, "none");
}

static void diff_flow_export(struct differ *d, const struct policy *a,
			     const struct policy *b)
{
	char x[512], y[512];

	flow_text(&a->flow_export, x, sizeof(x));
	flow_text(&b->flow_export, y, sizeof(y));
	field(d, "flow_export", "collector", NULL, x, y, "hosts");
}

/* gateway_ha: the timers of every gateway group. */
static void diff_ha(struct differ *d, const struct policy *a,
		    const struct policy *b)
{
	char x[64], y[64];

	snprintf(x, sizeof(x), "advert_interval_ms %u, preempt_hold_ms %u",
		 a->ha.advert_interval_ms, a->ha.preempt_hold_ms);
	snprintf(y, sizeof(y), "advert_interval_ms %u, preempt_hold_ms %u",
		 b->ha.advert_interval_ms, b->ha.preempt_hold_ms);
	field(d, "gateway_ha", "timers", NULL, x, y, "gateways");
}

/* The default partition's membership, IPoIB and MTU (0: OpenSM's). */
static void diff_default(struct differ *d, const struct policy *a,
			 const struct policy *b)
{
	char x[16], y[16];

	field(d, "default_partition", "Default", "membership",
	      policy_membership_name(a->dflt.membership),
	      policy_membership_name(b->dflt.membership), "fabric");
	field(d, "default_partition", "Default", "ipoib",
	      a->dflt.ipoib ? "true" : "false",
	      b->dflt.ipoib ? "true" : "false", "fabric");
	snprintf(x, sizeof(x), "%u", a->dflt.mtu);
	snprintf(y, sizeof(y), "%u", b->dflt.mtu);
	field(d, "default_partition", "Default", "mtu", x, y, "fabric");
}

unsigned int policy_diff(const struct policy *old, const struct policy *new,
			 policy_diff_fn fn, void *ctx)
{
	struct differ d = { fn, ctx, 0 };

	diff_default(&d, old, new);
	diff_pins(&d, old, new);
	diff_partitions(&d, old, new);
	diff_gateways(&d, old, new);
	diff_ports(&d, old, new);
	diff_metrics(&d, old, new);
	diff_flow_export(&d, old, new);
	diff_ha(&d, old, new);
	return d.n;
}

const char *policy_change_name(enum policy_change c)
{
	switch (c) {
	case POLICY_ADDED:
		return "added";
	case POLICY_REMOVED:
		return "removed";
	case POLICY_CHANGED:
		return "changed";
	}
	return "?";
}
