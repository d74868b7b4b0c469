// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The state snapshot's data and its JSON form (docs/sm-plugin.md). */
#include "sm-plugin/smsnap.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "lib/ib.h"
#include "lib/util.h"

static int grow(void **arr, size_t *cap, size_t need, size_t size)
{
	size_t n = *cap ? *cap : 64;
	void *p;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	p = realloc(*arr, n * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = n;
	return 0;
}

struct smsnap_port *smsnap_add_port(struct smsnap *s)
{
	struct smsnap_port *p;

	if (grow((void **)&s->ports, &s->cap_ports, s->n_ports + 1,
		 sizeof(*s->ports)))
		return NULL;
	p = &s->ports[s->n_ports++];
	*p = (struct smsnap_port){ .first_pkey = s->n_pkeys };
	return p;
}

int smsnap_add_pkey(struct smsnap *s, uint16_t pkey)
{
	if (!s->n_ports || grow((void **)&s->pkeys, &s->cap_pkeys,
				s->n_pkeys + 1, sizeof(*s->pkeys)))
		return -ENOMEM;
	s->pkeys[s->n_pkeys++] = pkey;
	s->ports[s->n_ports - 1].n_pkeys++;
	return 0;
}

static json_t *guid_json(uint64_t guid)
{
	char buf[24];

	return json_string(util_format_guid(guid, buf, sizeof(buf)));
}

static json_t *hex16_json(uint16_t v)
{
	char buf[8];

	snprintf(buf, sizeof(buf), "0x%04x", v);
	return json_string(buf);
}

static json_t *partition_name(const struct smsnap *s, uint16_t base)
{
	size_t i;

	for (i = 0; i < s->n_parts; i++)
		if (s->parts[i].pkey == base)
			return json_string(s->parts[i].name);
	return base == IB_PKEY_DEFAULT ? json_string("Default") : json_null();
}

static json_t *pkeys_json(const struct smsnap *s, const struct smsnap_port *p)
{
	json_t *arr = json_array();
	uint16_t pkey;
	size_t i;

	for (i = 0; i < p->n_pkeys; i++) {
		pkey = s->pkeys[p->first_pkey + i];
		json_array_append_new(
			arr, json_pack("{s:o, s:s, s:o}", "pkey",
				       hex16_json(pkey), "membership",
				       (pkey & IB_PKEY_FULL_BIT) ? "full" :
								   "limited",
				       "partition",
				       partition_name(s, ib_pkey_base(pkey))));
	}
	return arr;
}

static json_t *port_json(const struct smsnap *s, const struct smsnap_port *p)
{
	return json_pack("{s:o, s:o, s:i, s:s, s:s, s:i, s:i, s:o}",
			 "node_guid", guid_json(p->node_guid), "port_guid",
			 guid_json(p->port_guid), "port_num", (int)p->port_num,
			 "node_type", p->type, "node_desc", p->desc, "lid",
			 (int)p->lid, "pkey_capacity", (int)p->pkey_cap,
			 "pkeys", pkeys_json(s, p));
}

static json_t *policy_json(const struct smsnap *s)
{
	json_t *parts = json_array();
	size_t i;

	for (i = 0; i < s->n_parts; i++)
		json_array_append_new(parts,
				      json_pack("{s:s, s:o, s:b, s:i}", "name",
						s->parts[i].name, "pkey",
						hex16_json(s->parts[i].pkey),
						"ipoib", s->parts[i].ipoib,
						"mtu", (int)s->parts[i].mtu));
	return json_pack("{s:s, s:b, s:s?, s:I, s:i, s:o}", "file",
			 s->policy_file, "in_force", s->in_force, "fabric",
			 s->fabric, "loaded_at", (json_int_t)s->loaded_at,
			 "refused", (int)s->refused, "partitions", parts);
}

char *smsnap_render(const struct smsnap *s)
{
	json_t *root, *ports = json_array();
	char *text;
	size_t i;

	for (i = 0; i < s->n_ports; i++)
		json_array_append_new(ports, port_json(s, &s->ports[i]));
	root = json_pack("{s:i, s:I, s:I, s:{s:o, s:s}, s:o, s:o}", "version",
			 SMSNAP_VERSION, "time", (json_int_t)s->time, "sweep",
			 (json_int_t)s->sweep, "sm", "port_guid",
			 guid_json(s->sm_guid), "state", "master", "policy",
			 policy_json(s), "ports", ports);
	if (!root)
		return NULL;
	/* Compact: tools read it (jq . shows it to people), and a large
	 * fabric's snapshot would be half indentation otherwise. */
	text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	return text;
}

void smsnap_free(struct smsnap *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n_parts; i++)
		free(s->parts[i].name);
	free(s->parts);
	free(s->ports);
	free(s->pkeys);
	free(s->policy_file);
	free(s->fabric);
	free(s);
}
