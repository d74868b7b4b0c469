// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The "mirror" lines of `fabstat ports` (see fabstat_mirror.h). */
#include "tools/fabstat_mirror.h"

#include <endian.h>

#include "lib/output.h"
#include "lib/policy.h"
#include "tools/doctor.h"
#include "tools/doctor_eth.h"
#include "tools/doctor_fabricd.h"
#include "tools/fabstat.h"

/* Gathered on the first call, kept for the run. */
static struct doctor_env mirror_env;
static bool mirror_loaded;

static void mirror_load(const struct fabstat_opts *o)
{
	struct doctor_env *e = &mirror_env;
	umad_port_t p;

	mirror_loaded = true;
	e->o = o;
	e->socket = doctor_fabricd_socket();
	doctor_fabricd_read(e);
	if (umad_get_port(o->ca, o->port, &p) >= 0) {
		e->port_guid = be64toh(p.port_guid);
		umad_release_port(&p);
	}
	doctor_env_gateway(e);
	doctor_eth_read(e);
}

/* One link or address of fabricd's reply, with the kernel's state. */
static void mirror_obj(json_t *v, const char *name_key, const char *dev_key)
{
	const char *name = doctor_fabricd_str(v, name_key) ?: "?";
	const char *dev = dev_key ? doctor_fabricd_str(v, dev_key) ?: "?" :
				    name;

	out_open_object(NULL);
	out_string(PRINT_ANY, name_key, " %s", name);
	if (dev_key)
		out_string(PRINT_ANY, dev_key, " on %s", dev);
	out_string(PRINT_ANY, "status", " %s",
		   doctor_fabricd_str(v, "status") ?: "?");
	out_string(PRINT_ANY, "oper_state", "/%s;", doctor_eth_oper_state(dev));
	out_close_object();
}

static void mirror_from_fabricd(json_t *fp)
{
	json_t *v;
	size_t i;

	out_string(PRINT_ANY, "state", " %s;",
		   doctor_fabricd_str(fp, "state") ?: "?");
	out_open_array("links");
	json_array_foreach(json_object_get(fp, "links"), i, v)
		mirror_obj(v, "name", NULL);
	out_close_array();
	out_open_array("addresses");
	json_array_foreach(json_object_get(fp, "addresses"), i, v)
		mirror_obj(v, "address", "dev");
	out_close_array();
}

/* The VLAN or IPoIB link fabricd would have made, as the kernel has it. */
static void kernel_links(const struct doctor_env *e,
			 const struct policy_partition *part)
{
	char dev[IFNAMSIZ];

	out_open_array("links");
	if (e->vlan_mode)
		doctor_eth_vlan_link(e->gw->uplink, part->vlan, dev);
	if (e->vlan_mode ||
	    doctor_eth_ipoib_link(part->pkey, dev, sizeof(dev))) {
		out_open_object(NULL);
		out_string(PRINT_ANY, "name", " %s", dev);
		out_string(PRINT_ANY, "oper_state", "/%s;",
			   doctor_eth_oper_state(dev));
		out_close_object();
	}
	out_close_array();
}

/* The gateway's addresses in @part, and where the kernel has them. */
static void kernel_addrs(const struct doctor_env *e,
			 const struct policy_partition *part)
{
	const struct policy_gw_addrs *ga = policy_gateway_addrs(e->gw, part);
	const char *holder;
	char buf[64];
	size_t i;

	out_open_array("addresses");
	for (i = 0; ga && i < ga->n_addrs; i++) {
		holder = doctor_eth_addr_holder(e->ifa, &ga->addrs[i]);
		out_open_object(NULL);
		out_string(PRINT_ANY, "address", " %s",
			   policy_prefix_format(&ga->addrs[i], buf,
						sizeof(buf)));
		out_string(PRINT_ANY, "dev", " on %s", holder ?: "nothing");
		out_string(PRINT_ANY, "oper_state", "/%s;",
			   holder ? doctor_eth_oper_state(holder) : "missing");
		out_close_object();
	}
	out_close_array();
}

void fabstat_mirror_print(const struct fabstat_opts *o,
			  const struct policy_partition *part)
{
	const struct doctor_env *e = &mirror_env;
	json_t *fp;

	if (!mirror_loaded)
		mirror_load(o);
	if (!e->gw || !e->gw->uplink || !part->vlan)
		return;
	fp = e->fd_err ? NULL : doctor_fabricd_partition(e, part->name);
	out_open_object("mirror");
	out_text("\t\t\t ");
	out_string(PRINT_ANY, "source",
		   "mirror (%s):", fp ? "fabricd" : "kernel");
	if (fp) {
		mirror_from_fabricd(fp);
	} else {
		out_string(PRINT_ANY, "state", " %s;", "fabricd-not-running");
		kernel_links(e, part);
		kernel_addrs(e, part);
	}
	out_nl();
	out_close_object();
}
