// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "ipoib/neigh_ctl.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "ipoib/port_ipoib.h"
#include "ipoib/peer_rc.h"
#include "ipoib/port_peer.h"
#include "lib/ctl_server.h"
#include "lib/ib.h"
#include "lib/port.h"
#include "lib/util.h"

struct show_ctx {
	const struct ipoib_neigh_ctl_names *names;
	uint16_t pkey;
	uint64_t now;
	json_t *arr;
	const struct ipoib_port_view *port;
};

/* The open ports of the ipoib kind as registered; none when it is not. */
static void foreach_port(void (*fn)(void *arg, const struct ipoib_port_view *v),
			 void *arg)
{
	struct ipoib_kind *k = port_kind_priv(&ipoib_port_ops);

	if (k)
		ipoib_port_foreach(k, fn, arg);
}

static json_t *gid_json(const struct ipoib_gid *g)
{
	char buf[48];

	return json_string(ipoib_gid_format(g, buf, sizeof(buf)));
}

static void add_entry(void *arg, const struct ipoib_neigh_entry *e)
{
	struct show_ctx *sc = arg;
	const char *pname = NULL;
	struct ipoib_gid gid;
	char hw[64], mac[18], pk[8];

	if (sc->names && sc->names->name_of)
		pname = sc->names->name_of(sc->names->arg, e->pkey);
	ipoib_hwaddr_gid(&e->hw, &gid);
	ipoib_hwaddr_format(&e->hw, hw, sizeof(hw));
	snprintf(pk, sizeof(pk), "0x%04x", sc->port->pkey);
	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", e->mac[0],
		 e->mac[1], e->mac[2], e->mac[3], e->mac[4], e->mac[5]);
	json_array_append_new(
		sc->arr,
		json_pack("{s:o, s:s, s:s, s:I, s:o, s:s, s:s, s:I}",
			  "partition", pname ? json_string(pname) : json_null(),
			  "pkey", pk, "port", sc->port->name, "qpn",
			  (json_int_t)ipoib_hwaddr_qpn(&e->hw), "gid",
			  gid_json(&gid), "hwaddr", hw, "mac", mac, "age_ms",
			  (json_int_t)(sc->now > e->last_seen ?
					       sc->now - e->last_seen :
					       0)));
}

static void add_port(void *arg, const struct ipoib_port_view *v)
{
	struct show_ctx *sc = arg;

	if (sc->pkey != IPOIB_PKEY_ANY &&
	    (v->pkey & IB_PKEY_BASE_MASK) != sc->pkey)
		return;
	sc->port = v;
	ipoib_neigh_foreach(v->neigh, IPOIB_PKEY_ANY, add_entry, sc);
}

json_t *ipoib_neigh_ctl_show(const struct ipoib_neigh_ctl_names *names,
			     uint16_t pkey)
{
	struct show_ctx sc = { .names = names,
			       .pkey = pkey & IB_PKEY_BASE_MASK,
			       .now = util_now_ms(),
			       .arr = json_array() };

	foreach_port(add_port, &sc);
	return sc.arr;
}

/* [partition NAME] into *@pkey (IPOIB_PKEY_ANY without). */
static int partition_arg(int argc, const char *const argv[],
			 const struct ipoib_neigh_ctl_names *names,
			 const char *usage, uint16_t *pkey, char **error)
{
	*pkey = IPOIB_PKEY_ANY;
	if (argc == 2 && !strcmp(argv[0], "partition")) {
		if (!names || !names->pkey_of ||
		    names->pkey_of(names->arg, argv[1], pkey)) {
			if (asprintf(error, "no partition '%s'", argv[1]) < 0)
				*error = NULL;
			return -ENOENT;
		}
	} else if (argc) {
		*error = strdup(usage);
		return -EINVAL;
	}
	return 0;
}

static int cmd_neigh_show(int argc, const char *const argv[], void *aux,
			  json_t **result, char **error)
{
	uint16_t pkey;
	int ret = partition_arg(argc, argv, aux,
				"usage: neigh/show [partition NAME]", &pkey,
				error);

	if (!ret)
		*result = ipoib_neigh_ctl_show(aux, pkey);
	return ret;
}

/* ---- peer/list ---- */

struct peer_list_ctx {
	const struct ipoib_neigh_ctl_names *names;
	uint16_t pkey;
	json_t *arr;
	const struct peer_port_view *port;
};

static json_t *peer_drops_json(const struct peer_counters *c)
{
	json_t *o = json_object();
	unsigned int i;

	for (i = 0; i < PEER_DROP_MAX; i++)
		json_object_set_new(o, peer_drop_name(i),
				    json_integer((json_int_t)c->drops[i]));
	return o;
}

json_t *ipoib_peer_ann_json(const struct peer_ann_stats *a)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I}", "announced",
			 (json_int_t)a->announced, "withdrawn",
			 (json_int_t)a->withdrawn, "ann_dropped",
			 (json_int_t)a->ann_dropped, "moved_dropped",
			 (json_int_t)a->moved_dropped, "repeats_cancelled",
			 (json_int_t)a->repeats_cancelled);
}

static const char *const transport_names[] = {
	[PEER_TRANSPORT_UD] = "ud",
	[PEER_TRANSPORT_CONNECTING] = "connecting",
	[PEER_TRANSPORT_RC] = "rc",
};

/* The transport of peer @p and what crossed its connection. */
static void add_peer_rc(json_t *o, const struct peer_rc *rc,
			const struct peer_info *p)
{
	const struct peer_counters *c = &p->c;

	json_object_set_new(
		o, "transport",
		json_string(transport_names[peer_rc_transport(rc, p)]));
	json_object_set_new(o, "rc",
			    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}",
				      "rx_packets",
				      (json_int_t)c->rc_rx_packets, "rx_bytes",
				      (json_int_t)c->rc_rx_bytes, "rx_whole",
				      (json_int_t)c->rc_rx_whole, "tx_packets",
				      (json_int_t)c->rc_tx_packets, "tx_bytes",
				      (json_int_t)c->rc_tx_bytes, "tx_whole",
				      (json_int_t)c->rc_tx_whole));
}

static void add_peer(void *arg, const struct peer_info *p)
{
	struct peer_list_ctx *pc = arg;
	const char *pname = NULL;
	struct ipoib_gid gid;
	char pk[8];
	json_t *o;

	if (pc->names && pc->names->name_of)
		pname = pc->names->name_of(pc->names->arg, pc->port->pkey);
	snprintf(pk, sizeof(pk), "0x%04x", pc->port->pkey);
	ipoib_hwaddr_gid(&p->addr, &gid);
	o = json_pack("{s:o, s:s, s:s, s:I, s:o, s:i, s:i, s:I, s:I, s:I, "
		      "s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
		      "partition", pname ? json_string(pname) : json_null(),
		      "pkey", pk, "port", pc->port->name, "qpn",
		      (json_int_t)ipoib_hwaddr_qpn(&p->addr), "gid",
		      gid_json(&gid), "lid", (int)p->lid, "macs", (int)p->macs,
		      "age_ms", (json_int_t)(pc->port->now - p->last_seen),
		      "up_ms", (json_int_t)(pc->port->now - p->first_seen),
		      "rx_packets", (json_int_t)p->c.rx_packets, "rx_bytes",
		      (json_int_t)p->c.rx_bytes, "tx_packets",
		      (json_int_t)p->c.tx_packets, "tx_bytes",
		      (json_int_t)p->c.tx_bytes, "hellos",
		      (json_int_t)p->c.hellos, "announced",
		      (json_int_t)p->c.announced, "withdrawn",
		      (json_int_t)p->c.withdrawn, "drops",
		      peer_drops_json(&p->c));
	/* the peer port's own, on each of its peers' rows */
	json_object_set_new(o, "port_ann", ipoib_peer_ann_json(&pc->port->ann));
	add_peer_rc(o, pc->port->rc, p);
	json_array_append_new(pc->arr, o);
}

static void add_peer_port(void *arg, const struct peer_port_view *v)
{
	struct peer_list_ctx *pc = arg;

	if (pc->pkey != IPOIB_PKEY_ANY && v->pkey != pc->pkey)
		return;
	pc->port = v;
	peer_table_foreach_peer(v->table, add_peer, pc);
}

json_t *ipoib_peer_ctl_list(const struct ipoib_neigh_ctl_names *names,
			    uint16_t pkey)
{
	struct peer_kind *k = port_kind_priv(&peer_port_ops);
	struct peer_list_ctx pc = { .names = names,
				    .pkey = pkey & IB_PKEY_BASE_MASK,
				    .arr = json_array() };

	if (k)
		peer_kind_foreach(k, add_peer_port, &pc);
	return pc.arr;
}

static int cmd_peer_list(int argc, const char *const argv[], void *aux,
			 json_t **result, char **error)
{
	uint16_t pkey;
	int ret = partition_arg(argc, argv, aux,
				"usage: peer/list [partition NAME]", &pkey,
				error);

	if (!ret)
		*result = ipoib_peer_ctl_list(aux, pkey);
	return ret;
}

static json_t *drops_json(const struct ipoib_drop_stats *d)
{
	json_t *o = json_object();
	unsigned int i;

	for (i = 1; i < IPOIB_DROP_MAX; i++)
		if (d->count[i])
			json_object_set_new(o, ipoib_drop_name(i),
					    json_integer(d->count[i]));
	return o;
}

static void add_stats(void *arg, const struct ipoib_port_view *v)
{
	const struct ipoib_port_stats *st = v->stats;

	json_object_set_new(
		arg, v->name,
		json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
			  "s:I, s:I, s:I, s:I, s:I, s:o}",
			  "rx_packets", (json_int_t)st->rx_packets,
			  "tx_packets", (json_int_t)st->tx_packets,
			  "rx_wc_errors", (json_int_t)st->rx_wc_errors,
			  "tx_wc_errors", (json_int_t)st->tx_wc_errors,
			  "rx_no_gid", (json_int_t)st->rx_no_gid, "tx_no_path",
			  (json_int_t)st->tx_no_path, "tx_ah_errors",
			  (json_int_t)st->tx_ah_errors, "tx_too_big",
			  (json_int_t)st->tx_too_big, "rx_no_buffer",
			  (json_int_t)st->rx_no_buffer, "refreshes",
			  (json_int_t)st->refreshes, "rx_proto",
			  (json_int_t)st->rx_proto, "tx_proto",
			  (json_int_t)st->tx_proto, "rx_untranslated",
			  (json_int_t)st->rx_untranslated, "tx_posts",
			  (json_int_t)st->tx_posts, "rx_polls",
			  (json_int_t)st->rx_polls, "drops",
			  drops_json(&st->drops)));
}

json_t *ipoib_stats_ctl_show(void)
{
	json_t *o = json_object();

	foreach_port(add_stats, o);
	return o;
}

/* The RC counters of struct peer_rc_stats, by their JSON name. */
/* clang-format off */
#define RC_KEY(f) { #f, offsetof(struct peer_rc_stats, f) }
/* clang-format on */
static const struct {
	const char *key;
	size_t off;
} rc_keys[] = {
	RC_KEY(tx_packets), RC_KEY(tx_bytes),	RC_KEY(tx_whole),
	RC_KEY(rx_packets), RC_KEY(rx_bytes),	RC_KEY(rx_whole),
	RC_KEY(connects),   RC_KEY(accepts),	RC_KEY(ups),
	RC_KEY(downs),	    RC_KEY(failures),	RC_KEY(errors),
	RC_KEY(drops_full), RC_KEY(drops_pool), RC_KEY(drops_bad),
	RC_KEY(drops_down), RC_KEY(drops_big),
};

/* The RC side of one peer port (ipoib/peer_rc.h). */
static void add_peer_stats(void *arg, const struct peer_port_view *v)
{
	struct peer_rc_stats s;
	json_t *c = json_object();
	size_t i;

	peer_rc_stats(v->rc, &s);
	for (i = 0; i < ARRAY_SIZE(rc_keys); i++) {
		uint64_t n;

		memcpy(&n, (const char *)&s + rc_keys[i].off, sizeof(n));
		json_object_set_new(c, rc_keys[i].key,
				    json_integer((json_int_t)n));
	}
	json_object_set_new(arg, v->name,
			    json_pack("{s:b, s:i, s:i, s:o}", "rc",
				      v->rc != NULL, "conns", (int)s.conns,
				      "up", (int)s.up, "rc_counters", c));
}

static int cmd_ipoib_stats(int argc, const char *const argv[], void *aux,
			   json_t **result, char **error)
{
	struct peer_kind *k = port_kind_priv(&peer_port_ops);
	json_t *peer = json_object();

	if (k)
		peer_kind_foreach(k, add_peer_stats, peer);
	*result = json_pack("{s:o, s:o}", "ipoib", ipoib_stats_ctl_show(),
			    "peer", peer);
	return 0;
}

int ipoib_neigh_ctl_register(struct ctl_server *srv,
			     const struct ipoib_neigh_ctl_names *names)
{
	int ret = ctl_server_register(srv, "neigh/show", "[partition NAME]", 0,
				      2, cmd_neigh_show, (void *)names);

	if (!ret)
		ret = ctl_server_register(srv, "peer/list", "[partition NAME]",
					  0, 2, cmd_peer_list, (void *)names);
	return ret   ?:
		       ctl_server_register(srv, "ipoib/stats", "", 0, 0,
					   cmd_ipoib_stats, NULL);
}
