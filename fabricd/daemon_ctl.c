// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fabricd's own control commands: status, partitions, reconcile, reload.
 * Keys are stable (fabricctl -j passes them through).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "lib/ctl_server.h"
#include "fabricd/daemon_priv.h"
#include "fabricd/engine/engine.h"
#include "fabricd/metrics.h"
#include "lib/ib.h"
#include "lib/paths.h"
#include "lib/policy.h"
#include "lib/util.h"

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static json_t *hex16(uint16_t v)
{
	char buf[8];

	snprintf(buf, sizeof(buf), "0x%04x", v);
	return json_string(buf);
}

static const char *ib_mode(const struct daemon *d)
{
	switch (d->ib) {
	case DAEMON_IB_NONE:
		return "policy-only";
	case DAEMON_IB_WAITING:
		return "waiting";
	case DAEMON_IB_OK:
		return "fabric";
	}
	return "?";
}

static json_t *ib_json(const struct daemon *d)
{
	char guid[24];
	json_t *ib, *pk = json_array();
	size_t i;

	for (i = 0; i < d->n_pkeys; i++)
		json_array_append_new(pk, hex16(d->pkeys[i]));
	ib = json_pack("{s:s, s:s?, s:i, s:s?, s:o, s:i, s:s?, s:s?}", "mode",
		       ib_mode(d), "device",
		       d->pk ? pkeys_dev_name(d->pk) : NULL, "port",
		       d->pk ? pkeys_port_num(d->pk) : 0, "port_guid",
		       d->pk ? util_format_guid(pkeys_port_guid(d->pk), guid,
						sizeof(guid)) :
			       NULL,
		       "pkeys", pk, "reads", (int)d->pkey_reads, "error",
		       d->ib_error[0] ? d->ib_error : NULL, "ipoib_netdev",
		       d->ipoib_parent[0] ? d->ipoib_parent : NULL);
	if (d->roce)
		json_object_set_new(
			ib, "note",
			json_string(
				"RoCE port (no SM, no PKey table): partitions come from the policy alone"));
	else if (d->ib == DAEMON_IB_NONE)
		json_object_set_new(
			ib, "note",
			json_string(
				"no InfiniBand port: partitions come from the policy alone"));
	return ib;
}

static json_t *vlan_json(const struct daemon *d)
{
	if (reconcile_vlan_missing(d->rc))
		return json_pack(
			"{s:b, s:s}", "supported", 0, "note",
			"the kernel has no 802.1Q support (CONFIG_VLAN_8021Q, module 8021q): partition addresses are on the uplink itself");
	return json_pack("{s:b}", "supported", 1);
}

static json_t *reconcile_json(const struct daemon *d)
{
	const struct reconcile_stats *st = reconcile_stats(d->rc);

	const char *last = st->last_error[0]  ? st->last_error :
			   st->state_error[0] ? st->state_error :
						NULL;

	return json_pack("{s:b, s:i, s:i, s:i, s:i, s:i, s:I, s:s?, s:s?}",
			 "converged", d->converged, "runs", (int)st->runs,
			 "requests", (int)st->ops, "failed", (int)st->failed,
			 "last_requests", (int)st->last_ops, "last_failed",
			 (int)st->last_failed, "last_us",
			 (json_int_t)st->last_us, "last_error", last,
			 "state_error",
			 st->state_error[0] ? st->state_error : NULL);
}

static json_t *drift_json(const struct daemon *d)
{
	json_t *arr = json_array();
	uint16_t unknown[64];
	struct rc_input in = { .pol = d->pol,
			       .pkeys = d->pkeys,
			       .n_pkeys = d->n_pkeys };
	size_t i, n;

	for (i = 0; i < d->pol->n_partitions; i++)
		if (d->views[i].drift)
			json_array_append_new(
				arr,
				json_pack("{s:s, s:o, s:s}", "partition",
					  d->pol->partitions[i].name, "pkey",
					  hex16(d->pol->partitions[i].pkey),
					  "drift",
					  rc_drift_name(d->views[i].drift)));
	n = rc_unknown_pkeys(&in, unknown, ARRAY_SIZE(unknown));
	for (i = 0; i < n; i++)
		json_array_append_new(
			arr, json_pack("{s:n, s:o, s:s}", "partition", "pkey",
				       hex16(unknown[i]), "drift",
				       "on-fabric-no-such-partition"));
	return arr;
}

static json_t *counts_json(const struct daemon *d)
{
	size_t i, held = 0, served = 0;

	for (i = 0; i < d->pol->n_partitions; i++) {
		held += d->views[i].held;
		served += d->views[i].served;
	}
	return json_pack("{s:i, s:i, s:i}", "total", (int)d->pol->n_partitions,
			 "held", (int)held, "served", (int)served);
}

static const char *engine_state(const struct daemon *d, char *buf, size_t size)
{
	unsigned int refused;

	if (d->engine_error[0])
		return d->engine_error;
	refused = d->engine ? engine_refused_ports(d->engine) : 0;
	if (refused) {
		snprintf(buf, size,
			 "running; %u port%s refused (fabricctl port list says "
			 "why)",
			 refused, refused == 1 ? "" : "s");
		return buf;
	}
	if (d->engine)
		return "running";
	return d->o->no_engine ? "disabled (--no-engine)" : "not running";
}

static int cmd_status(int argc, const char *const argv[], void *aux,
		      json_t **result, char **error)
{
	struct daemon *d = aux;
	char buf[96];

	*result = json_pack(
		"{s:s, s:i, s:s, s:s?, s:s?, s:s?, s:o, s:o, s:o, s:o, s:o, "
		"s:s, s:o}",
		"version", PATHS_VERSION, "pid", (int)getpid(), "policy",
		d->o->policy_file, "policy_error", d->reload_error, "gateway",
		d->gw ? d->gw->name : NULL, "uplink",
		d->gw ? d->gw->uplink : NULL, "ib", ib_json(d), "vlan",
		vlan_json(d), "partitions", counts_json(d), "drift",
		drift_json(d), "reconcile", reconcile_json(d), "engine",
		engine_state(d, buf, sizeof(buf)), "metrics",
		d->metrics ? metrics_status_json(d->metrics) : json_null());
	return *result ? 0 : -ENOMEM;
}

/* The partition view: its links and addresses with their status. */

static json_t *links_json(const struct daemon *d, const char *part)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < d->desired.n_links; i++) {
		const struct rc_link *l = &d->desired.links[i];

		if (strcmp(l->partition, part))
			continue;
		json_array_append_new(
			arr,
			json_pack("{s:s, s:s, s:s, s:i, s:s}", "name", l->name,
				  "kind",
				  l->kind == RC_LINK_VLAN ? "vlan" : "ipoib",
				  "parent", l->parent, "ifindex",
				  reconcile_link_ifindex(d->rc, l->name),
				  "status", rc_status_name(l->status)));
	}
	return arr;
}

static json_t *addrs_json(const struct daemon *d, const char *part)
{
	json_t *arr = json_array();
	char buf[64];
	size_t i;

	for (i = 0; i < d->desired.n_addrs; i++) {
		const struct rc_addr *a = &d->desired.addrs[i];

		if (strcmp(a->partition, part))
			continue;
		json_array_append_new(
			arr, json_pack("{s:s, s:s, s:s?, s:s}", "address",
				       rc_addr_format(a, buf, sizeof(buf)),
				       "dev", a->dev, "label",
				       a->label[0] ? a->label : NULL, "status",
				       rc_status_name(a->status)));
	}
	return arr;
}

static bool part_ok(enum rc_status st)
{
	return st == RC_ST_OK || st == RC_ST_FOREIGN;
}

/*
 * "ready", "pending", "degraded" (something failed, conflicts, or lacks
 * kernel support; degraded wins over pending), "not-held", "not-served".
 */
static const char *partition_state(const struct daemon *d,
				   const struct rc_partition *v)
{
	bool pending = false, degraded = false;
	enum rc_status st;
	size_t i;

	if (!v->held)
		return "not-held";
	if (!v->served)
		return "not-served";
	for (i = 0; i < d->desired.n_links + d->desired.n_addrs; i++) {
		const char *part =
			i < d->desired.n_links ?
				d->desired.links[i].partition :
				d->desired.addrs[i - d->desired.n_links]
					.partition;

		if (strcmp(part, v->part->name))
			continue;
		st = i < d->desired.n_links ?
			     d->desired.links[i].status :
			     d->desired.addrs[i - d->desired.n_links].status;
		pending |= st == RC_ST_PENDING;
		degraded |= !part_ok(st) && st != RC_ST_PENDING;
	}
	return degraded ? "degraded" : pending ? "pending" : "ready";
}

static json_t *partition_json(const struct daemon *d,
			      const struct rc_partition *v)
{
	const struct policy_partition *p = v->part;

	return json_pack("{s:s, s:o, s:i, s:s, s:s, s:b, s:b, s:s, s:s, "
			 "s:o, s:o}",
			 "name", p->name, "pkey", hex16(p->pkey), "vlan",
			 (int)p->vlan, "membership",
			 d->ib == DAEMON_IB_OK ? rc_memb_name(v->fabric_memb) :
						 "unknown",
			 "policy_membership", rc_memb_name(v->policy_memb),
			 "held", v->held, "served", v->served, "state",
			 partition_state(d, v), "drift",
			 rc_drift_name(v->drift), "links",
			 links_json(d, p->name), "addresses",
			 addrs_json(d, p->name));
}

static int cmd_partitions(int argc, const char *const argv[], void *aux,
			  json_t **result, char **error)
{
	struct daemon *d = aux;
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < d->pol->n_partitions; i++) {
		if (argc && strcmp(argv[0], d->pol->partitions[i].name))
			continue;
		json_array_append_new(arr, partition_json(d, &d->views[i]));
	}
	if (argc && !json_array_size(arr)) {
		json_decref(arr);
		if (asprintf(error, "no partition '%s' in the policy",
			     argv[0]) < 0)
			*error = NULL;
		return -ENOENT;
	}
	*result = arr;
	return 0;
}

/* reconcile [adopt]: adopt takes what matches the policy (reconcile.h). */
static int cmd_reconcile(int argc, const char *const argv[], void *aux,
			 json_t **result, char **error)
{
	struct daemon *d = aux;
	const struct reconcile_stats *st = reconcile_stats(d->rc);
	bool adopt = argc && !strcmp(argv[0], "adopt");

	if (argc && !adopt) {
		*error = strdup("usage: reconcile [adopt]");
		return -EINVAL;
	}
	if (adopt)
		reconcile_adopt(d->rc);
	reconcile_vlan_retry(d->rc);
	daemon_reconcile(d);
	*result = reconcile_json(d);
	if (adopt)
		json_object_set_new(
			*result, "adopted",
			json_pack("{s:i, s:i}", "links", (int)st->adopted_links,
				  "addresses", (int)st->adopted_addrs));
	return 0;
}

/* Reloads the policy and reconciles; says how long the whole took. */
static int cmd_reload(int argc, const char *const argv[], void *aux,
		      json_t **result, char **error)
{
	struct daemon *d = aux;
	uint64_t t0 = now_us();
	int ret = daemon_reload(d);

	if (ret == -EINVAL) {
		*error = strdup(d->reload_error ? d->reload_error :
						  "policy refused");
		return ret;
	}
	*result = reconcile_json(d);
	json_object_set_new(*result, "reload_us",
			    json_integer((json_int_t)(now_us() - t0)));
	return 0;
}

/* neigh/show names partitions from the policy in force. */
static int neigh_pkey_of(void *arg, const char *name, uint16_t *pkey)
{
	const struct daemon *d = arg;
	size_t i;

	for (i = 0; i < d->pol->n_partitions; i++)
		if (!strcmp(d->pol->partitions[i].name, name)) {
			*pkey = d->pol->partitions[i].pkey;
			return 0;
		}
	return -ENOENT;
}

static const char *neigh_name_of(void *arg, uint16_t pkey)
{
	const struct daemon *d = arg;
	size_t i;

	for (i = 0; i < d->pol->n_partitions; i++)
		if (d->pol->partitions[i].pkey == ib_pkey_base(pkey))
			return d->pol->partitions[i].name;
	return NULL;
}

int daemon_ctl_register(struct daemon *d)
{
	int ret;

	d->neigh_names = (struct ipoib_neigh_ctl_names){
		.pkey_of = neigh_pkey_of, .name_of = neigh_name_of, .arg = d
	};

	ret = ctl_server_register(d->ctl, "status", "", 0, 0, cmd_status, d);
	if (!ret)
		ret = ctl_server_register(d->ctl, "partitions", "[PARTITION]",
					  0, 1, cmd_partitions, d);
	if (!ret)
		ret = ctl_server_register(d->ctl, "reconcile", "[adopt]", 0, 1,
					  cmd_reconcile, d);
	if (!ret)
		ret = ctl_server_register(d->ctl, "reload", "", 0, 0,
					  cmd_reload, d);
	if (!ret)
		ret = ipoib_neigh_ctl_register(d->ctl, &d->neigh_names);
	if (!ret)
		ret = daemon_flow_register(d);
	return ret;
}
