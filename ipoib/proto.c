// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include "ipoib/proto.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "ipoib/port_ipoib.h"

/*
 * The registry: a few ethertypes, read on every receive of one of them
 * (read lock, held through the handler's call so that unregistering waits
 * for it), written when a protocol comes or goes.
 */
static struct {
	pthread_rwlock_t lock;
	struct {
		uint16_t ethertype; /* 0: free */
		const struct ipoib_proto_ops *ops;
		void *arg;
	} e[IPOIB_PROTO_MAX];
} reg = { .lock = PTHREAD_RWLOCK_INITIALIZER };

/* The slot of @ethertype, or -1; the registry locked. */
static int slot_of(uint16_t ethertype)
{
	int i;

	for (i = 0; i < IPOIB_PROTO_MAX; i++)
		if (reg.e[i].ethertype == ethertype)
			return i;
	return -1;
}

int ipoib_proto_register(uint16_t ethertype, const struct ipoib_proto_ops *ops,
			 void *arg)
{
	int ret = 0, i;

	if (!ops || !ops->rx || !ethertype || ipoib_ethertype_own(ethertype))
		return -EINVAL;
	pthread_rwlock_wrlock(&reg.lock);
	if (slot_of(ethertype) >= 0) {
		ret = -EEXIST;
	} else {
		i = slot_of(0);
		if (i < 0) {
			ret = -ENOSPC;
		} else {
			reg.e[i].ethertype = ethertype;
			reg.e[i].ops = ops;
			reg.e[i].arg = arg;
		}
	}
	pthread_rwlock_unlock(&reg.lock);
	return ret;
}

void ipoib_proto_unregister(uint16_t ethertype)
{
	int i;

	if (!ethertype)
		return;
	pthread_rwlock_wrlock(&reg.lock);
	i = slot_of(ethertype);
	if (i >= 0)
		memset(&reg.e[i], 0, sizeof(reg.e[i]));
	pthread_rwlock_unlock(&reg.lock);
}

bool ipoib_proto_registered(uint16_t ethertype)
{
	bool ret;

	if (!ethertype || ipoib_ethertype_own(ethertype))
		return false;
	pthread_rwlock_rdlock(&reg.lock);
	ret = slot_of(ethertype) >= 0;
	pthread_rwlock_unlock(&reg.lock);
	return ret;
}

bool ipoib_proto_deliver(const struct ipoib_proto_rx *rx, struct pkt *pkt)
{
	int i;

	if (!rx->ethertype || ipoib_ethertype_own(rx->ethertype))
		return false;
	pthread_rwlock_rdlock(&reg.lock);
	i = slot_of(rx->ethertype);
	if (i >= 0)
		reg.e[i].ops->rx(reg.e[i].arg, rx, pkt);
	pthread_rwlock_unlock(&reg.lock);
	return i >= 0;
}

void ipoib_proto_group(struct ipoib_hwaddr *dst)
{
	static const struct ipoib_gid none;

	ipoib_hwaddr_make(dst, 0, IPOIB_MCAST_QPN, &none);
}

int ipoib_proto_send(struct ipoib_kind *k, uint16_t pkey, uint16_t ethertype,
		     struct pkt **pkts, const struct ipoib_hwaddr *dst,
		     unsigned int n)
{
	unsigned int i;

	if (!k || !ethertype || ipoib_ethertype_own(ethertype))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (pkt_headroom(pkts[i]) < IPOIB_HDR_LEN)
			return -EINVAL;
	return ipoib_port_send_raw(k, pkey, ethertype, pkts, dst, n);
}

int ipoib_proto_mtu(struct ipoib_kind *k, uint16_t pkey,
		    struct ipoib_hwaddr *local)
{
	if (!k)
		return -EINVAL;
	return ipoib_port_raw_info(k, pkey, local);
}

int ipoib_proto_verbs_get(struct ipoib_kind *k, uint16_t pkey,
			  struct ipoib_proto_verbs *v)
{
	if (!k || !v)
		return -EINVAL;
	return ipoib_port_verbs_get(k, pkey, v);
}

void ipoib_proto_verbs_put(struct ipoib_kind *k, struct ipoib_proto_verbs *v)
{
	if (k && v && v->dev) {
		ipoib_port_verbs_put(k, v->dev);
		v->dev = NULL;
	}
}

int64_t ipoib_proto_verbs_gen(struct ipoib_kind *k, uint16_t pkey)
{
	return k ? ipoib_port_verbs_gen(k, pkey) : -EINVAL;
}
