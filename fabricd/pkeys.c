// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The port's PKey table, read with SMPs (see pkeys.h). */
#include "fabricd/pkeys.h"

#include <dirent.h>
#include <endian.h>
#include <stdio.h>
#include <unistd.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <infiniband/mad.h>
#include <infiniband/umad.h>

#include "lib/ib.h"
#include "lib/ib_smp.h"
#include "lib/log.h"
#include "lib/util.h"

LOG_MODULE(pkeys);

#define PKEYS_TIMEOUT_MS 500

struct pkeys_port {
	struct ibmad_port *mad;
	char dev[UMAD_CA_NAME_LEN];
	int port;
	uint64_t guid;
	unsigned int table_size; /* NodeInfo.PartitionCap */
	uint16_t table[PKEYS_MAX]; /* as last read, every entry */
};

void pkeys_merge(const uint16_t *table, size_t n_table, uint16_t *out,
		 size_t max, size_t *n)
{
	size_t i, j;

	for (i = 0; i < n_table; i++) {
		uint16_t pk = table[i];
		uint16_t base = ib_pkey_base(pk);

		/* 0 is an invalid entry; 0x7fff the default partition. */
		if (!base || base == IB_PKEY_DEFAULT)
			continue;
		for (j = 0; j < *n; j++)
			if (ib_pkey_base(out[j]) == base)
				break;
		if (j < *n)
			out[j] |= pk & IB_PKEY_FULL_BIT;
		else if (*n < max)
			out[(*n)++] = pk;
	}
}

int pkeys_read(struct pkeys_port *p, uint16_t *out, size_t max)
{
	size_t n = 0;
	int ret;

	ret = ib_smp_pkey_table(p->mad, PKEYS_TIMEOUT_MS, p->table,
				p->table_size);
	if (ret)
		return ret;
	pkeys_merge(p->table, p->table_size, out, max, &n);
	return (int)n;
}

static int query_node(struct pkeys_port *p)
{
	unsigned int cap;
	int ret;

	ret = ib_smp_partition_cap(p->mad, PKEYS_TIMEOUT_MS, &cap);
	if (ret)
		return ret;
	p->table_size = cap ? MIN(cap, PKEYS_MAX) : IB_PKEYS_PER_BLOCK;
	return 0;
}

static int pick_device(struct pkeys_port *p, const char *dev, int port)
{
	char cas[UMAD_MAX_DEVICES][UMAD_CA_NAME_LEN];
	umad_port_t up;
	int n, ret;

	if (umad_init() < 0)
		return -ENODEV;
	if (!dev) {
		n = umad_get_cas_names(cas, UMAD_MAX_DEVICES);
		if (n <= 0)
			return -ENODEV;
		dev = cas[0];
	}
	util_strlcpy(p->dev, dev, sizeof(p->dev));
	ret = umad_get_port(p->dev, port, &up);
	if (ret < 0)
		return ret == -ENODEV || ret == -ENOENT ? -ENODEV : ret;
	p->port = up.portnum;
	p->guid = be64toh(up.port_guid);
	umad_release_port(&up);
	return 0;
}

struct pkeys_port *pkeys_open(const char *dev, int port)
{
	struct pkeys_port *p = calloc(1, sizeof(*p));
	int ret;

	if (!p)
		return NULL;
	ret = pick_device(p, dev, port);
	if (ret)
		goto err;
	p->mad = ib_smp_open(p->dev, p->port);
	if (!p->mad) {
		ret = -errno;
		goto err;
	}
	mad_rpc_set_retries(p->mad, 2);
	ret = query_node(p);
	if (ret)
		goto err;
	VLOG_INFO("IB port %s/%d (GUID 0x%016llx): PKey table of %u entries",
		  p->dev, p->port, (unsigned long long)p->guid, p->table_size);
	return p;
err:
	pkeys_close(p);
	errno = -ret;
	return NULL;
}

void pkeys_close(struct pkeys_port *p)
{
	if (!p)
		return;
	ib_smp_close(p->mad);
	free(p);
}

const char *pkeys_dev_name(const struct pkeys_port *p)
{
	return p->dev;
}

int pkeys_port_num(const struct pkeys_port *p)
{
	return p->port;
}

uint64_t pkeys_port_guid(const struct pkeys_port *p)
{
	return p->guid;
}

static bool sysfs_uint(const char *dev, const char *attr, uint64_t *v)
{
	char path[512], *buf = NULL;
	size_t len;
	bool ok;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", dev, attr);
	if (util_read_file(path, &buf, &len))
		return false;
	buf[strcspn(buf, "\n")] = '\0';
	ok = !util_parse_u64(buf, UINT64_MAX, v);
	free(buf);
	return ok;
}

/* An IPoIB parent of our port: type 32 (ARPHRD_INFINIBAND), our device. */
static bool is_our_ipoib(const struct pkeys_port *p, const char *dev)
{
	char path[512];
	uint64_t type, port;

	if (!sysfs_uint(dev, "type", &type) || type != 32)
		return false;
	snprintf(path, sizeof(path), "/sys/class/net/%s/parent", dev);
	if (!access(path, F_OK)) /* a child interface */
		return false;
	snprintf(path, sizeof(path), "/sys/class/net/%s/device/infiniband/%s",
		 dev, p->dev);
	if (access(path, F_OK))
		return false;
	return !sysfs_uint(dev, "dev_port", &port) ||
	       port == (uint64_t)p->port - 1;
}

int pkeys_ipoib_netdev(const struct pkeys_port *p, char *name, size_t len)
{
	DIR *dir = opendir("/sys/class/net");
	struct dirent *de;
	int ret = -ENOENT;

	if (!dir)
		return -ENOENT;
	while (ret && (de = readdir(dir)))
		if (de->d_name[0] != '.' && is_our_ipoib(p, de->d_name)) {
			util_strlcpy(name, de->d_name, len);
			ret = 0;
		}
	closedir(dir);
	return ret;
}

bool pkeys_is_roce(const char *dev, int port)
{
	char path[256], *text = NULL;
	size_t len;
	bool roce;

	snprintf(path, sizeof(path),
		 "/sys/class/infiniband/%s/ports/%d/link_layer", dev,
		 port ? port : 1);
	if (util_read_file(path, &text, &len))
		return false;
	roce = !strncmp(text, "Ethernet", 8);
	free(text);
	return roce;
}
