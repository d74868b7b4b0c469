// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The flow cache (eth/flow.h): a hash table of fixed entries chained by
 * index, two lists per partition (least recently seen first: idle expiry
 * walks its head, pressure evicts it; oldest start first: active expiry
 * walks its head), the partitions holding flows (a full cache takes room
 * from the largest) and a ring of ended records for the exporter.
 */
#include "eth/flow.h"

#include "eth/vnet.h"
#include "lib/pool.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX
#define DEF_SIZE 65536
#define DEF_PART_LIMIT 16384
#define DEF_QUEUE 8192
#define DEF_ACTIVE_MS 60000
#define DEF_IDLE_MS 15000

#define ETH_HLEN 14
#define ET_IPV4 0x0800
#define ET_IPV6 0x86dd
#define TCP_FIN 0x01
#define TCP_RST 0x04

/* The two lists of a partition: by last packet, by start. */
enum { BY_SEEN, BY_START, N_LISTS };

struct link {
	uint32_t prev, next;
};

struct list {
	uint32_t head, tail;
};

struct entry {
	struct flow_record r;
	uint32_t hnext; /* hash chain */
	struct link lk[N_LISTS];
	uint32_t hash;
	bool used;
};

struct part {
	struct list l[N_LISTS];
	uint32_t busy_idx; /* in flow_cache.busy while it holds flows */
	struct flow_part_stats st;
};

struct flow_cache {
	struct flow_config cfg;
	struct entry *ents;
	uint32_t *buckets;
	uint32_t mask;
	uint32_t free_head; /* free entries chained by hnext */
	struct part *parts; /* FLOW_PARTS_MAX */
	uint16_t *busy; /* the partitions holding flows */
	unsigned int n_busy;
	struct flow_record *queue;
	unsigned int q_head, q_len;
};

static const char *const end_names[FLOW_END_MAX] = {
	[FLOW_END_IDLE] = "idle",
	[FLOW_END_ACTIVE] = "active",
	[FLOW_END_EOF] = "eof",
	[FLOW_END_FORCED] = "forced",
	[FLOW_END_RESOURCES] = "resources",
};

const char *flow_end_name(enum flow_end r)
{
	return r > 0 && r < FLOW_END_MAX ? end_names[r] : "?";
}

void flow_config_defaults(struct flow_config *c)
{
	if (!c->size)
		c->size = DEF_SIZE;
	if (!c->part_limit || c->part_limit > c->size)
		c->part_limit = c->size < DEF_PART_LIMIT ? c->size :
							   DEF_PART_LIMIT;
	if (!c->queue)
		c->queue = DEF_QUEUE;
	if (!c->active_ms)
		c->active_ms = DEF_ACTIVE_MS;
	if (!c->idle_ms)
		c->idle_ms = DEF_IDLE_MS;
}

static uint32_t buckets_for(unsigned int size)
{
	uint32_t n = 1;

	while (n < size && n < (1u << 30))
		n <<= 1;
	return n;
}

struct flow_cache *flow_cache_create(const struct flow_config *cfg)
{
	struct flow_cache *fc = calloc(1, sizeof(*fc));
	uint32_t i, nb;

	if (!fc)
		return NULL;
	fc->cfg = *cfg;
	flow_config_defaults(&fc->cfg);
	nb = buckets_for(fc->cfg.size);
	fc->mask = nb - 1;
	fc->ents = calloc(fc->cfg.size, sizeof(*fc->ents));
	fc->buckets = malloc(nb * sizeof(*fc->buckets));
	fc->parts = calloc(FLOW_PARTS_MAX, sizeof(*fc->parts));
	fc->busy = calloc(FLOW_PARTS_MAX, sizeof(*fc->busy));
	fc->queue = calloc(fc->cfg.queue, sizeof(*fc->queue));
	if (!fc->ents || !fc->buckets || !fc->parts || !fc->busy ||
	    !fc->queue) {
		flow_cache_destroy(fc);
		errno = ENOMEM;
		return NULL;
	}
	memset(fc->buckets, 0xff, nb * sizeof(*fc->buckets));
	for (i = 0; i < FLOW_PARTS_MAX; i++)
		fc->parts[i].l[BY_SEEN] = fc->parts[i].l[BY_START] =
			(struct list){ NIL, NIL };
	for (i = 0; i < fc->cfg.size; i++)
		fc->ents[i].hnext = i + 1 < fc->cfg.size ? i + 1 : NIL;
	fc->free_head = 0;
	return fc;
}

void flow_cache_destroy(struct flow_cache *fc)
{
	if (!fc)
		return;
	free(fc->ents);
	free(fc->buckets);
	free(fc->parts);
	free(fc->busy);
	free(fc->queue);
	free(fc);
}

void flow_cache_config(const struct flow_cache *fc, struct flow_config *cfg)
{
	*cfg = fc->cfg;
}

_Static_assert(sizeof(struct flow_key) % 8 == 0, "the key is whole words");
#define KEY_WORDS (sizeof(struct flow_key) / 8)

/* 64-bit multiply-xorshift over the key's words. */
static uint32_t key_hash(const struct flow_key *k)
{
	const uint8_t *p = (const uint8_t *)k;
	uint64_t h = 0x9e3779b97f4a7c15ull, w;
	size_t i;

	for (i = 0; i < KEY_WORDS; i++) {
		memcpy(&w, p + i * 8, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	return (uint32_t)(h ^ (h >> 29));
}

static bool key_equal(const struct flow_key *a, const struct flow_key *b)
{
	const uint8_t *p = (const uint8_t *)a, *q = (const uint8_t *)b;
	uint64_t x, y, d = 0;
	size_t i;

	for (i = 0; i < KEY_WORDS; i++) {
		memcpy(&x, p + i * 8, 8);
		memcpy(&y, q + i * 8, 8);
		d |= x ^ y;
	}
	return !d;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* Ports, ICMP type/code, TCP flags of an L4 header at @l4 (@n bytes). */
static void parse_l4(struct flow_key *k, const uint8_t *l4, uint32_t n,
		     uint8_t *tcp_flags)
{
	switch (k->proto) {
	case 6: /* TCP */
		if (n >= 14)
			*tcp_flags = l4[13];
		/* fall through */
	case 17: /* UDP */
	case 132: /* SCTP */
		if (n >= 4) {
			k->src_port = get16(l4);
			k->dst_port = get16(l4 + 2);
		}
		break;
	case 1: /* ICMP */
	case 58: /* ICMPv6 */
		if (n >= 2)
			k->icmp_type_code = get16(l4);
		break;
	}
}

/* IPv4: addresses, protocol, ports of a first fragment; returns octets. */
static uint32_t parse_ipv4(struct flow_key *k, const uint8_t *ip, uint32_t n,
			   uint8_t *tcp_flags)
{
	uint32_t ihl, tot;

	if (n < 20 || ip[0] >> 4 != 4 || (ihl = (ip[0] & 0xfu) * 4) < 20 ||
	    ihl > n)
		return n;
	tot = get16(ip + 2);
	if (tot < ihl || tot > n)
		tot = n;
	k->ip_version = 4;
	k->proto = ip[9];
	memcpy(k->src_ip, ip + 12, 4);
	memcpy(k->dst_ip, ip + 16, 4);
	if (!(get16(ip + 6) & 0x1fff)) /* not a later fragment */
		parse_l4(k, ip + ihl, tot - ihl, tcp_flags);
	return tot;
}

/* IPv6: addresses, next header (no extension headers walked); octets. */
static uint32_t parse_ipv6(struct flow_key *k, const uint8_t *ip, uint32_t n,
			   uint8_t *tcp_flags)
{
	uint32_t tot;

	if (n < 40 || ip[0] >> 4 != 6)
		return n;
	tot = 40 + get16(ip + 4);
	if (tot > n)
		tot = n;
	k->ip_version = 6;
	k->proto = ip[6];
	memcpy(k->src_ip, ip + 8, 16);
	memcpy(k->dst_ip, ip + 24, 16);
	parse_l4(k, ip + 40, tot - 40, tcp_flags);
	return tot;
}

/* Fill @k from the frame; returns the L3 octets, *@tcp_flags its flags. */
static uint32_t parse_frame(struct flow_key *k, const uint8_t *f, uint32_t len,
			    uint8_t *tcp_flags)
{
	*tcp_flags = 0;
	if (len < ETH_HLEN)
		return 0;
	memcpy(k->dst_mac, f, 6);
	memcpy(k->src_mac, f + 6, 6);
	k->ethertype = get16(f + 12);
	if (k->ethertype == ET_IPV4)
		return parse_ipv4(k, f + ETH_HLEN, len - ETH_HLEN, tcp_flags);
	if (k->ethertype == ET_IPV6)
		return parse_ipv6(k, f + ETH_HLEN, len - ETH_HLEN, tcp_flags);
	return len - ETH_HLEN;
}

/* Unlink entry @i from its partition's list @w (BY_SEEN, BY_START). */
static void list_unlink(struct flow_cache *fc, struct part *p, int w,
			uint32_t i)
{
	struct link *k = &fc->ents[i].lk[w];

	if (k->prev != NIL)
		fc->ents[k->prev].lk[w].next = k->next;
	else
		p->l[w].head = k->next;
	if (k->next != NIL)
		fc->ents[k->next].lk[w].prev = k->prev;
	else
		p->l[w].tail = k->prev;
}

static void list_append(struct flow_cache *fc, struct part *p, int w,
			uint32_t i)
{
	struct link *k = &fc->ents[i].lk[w];

	k->next = NIL;
	k->prev = p->l[w].tail;
	if (p->l[w].tail != NIL)
		fc->ents[p->l[w].tail].lk[w].next = i;
	else
		p->l[w].head = i;
	p->l[w].tail = i;
}

/* Entry @i to the tail of list @w (the newest) unless it is there. */
static void list_touch(struct flow_cache *fc, struct part *p, int w, uint32_t i)
{
	if (p->l[w].tail != i) {
		list_unlink(fc, p, w, i);
		list_append(fc, p, w, i);
	}
}

/* Partition @pi holds a flow more: it joins the busy ones at its first. */
static void part_grow(struct flow_cache *fc, uint16_t pi)
{
	struct part *p = &fc->parts[pi];

	if (!p->st.entries++) {
		p->busy_idx = fc->n_busy;
		fc->busy[fc->n_busy++] = pi;
	}
}

static void part_shrink(struct flow_cache *fc, struct part *p)
{
	uint16_t last;

	if (--p->st.entries)
		return;
	last = fc->busy[--fc->n_busy];
	fc->busy[p->busy_idx] = last;
	fc->parts[last].busy_idx = p->busy_idx;
}

/* Queue a copy of @r ended with @why for the exporter, or count it lost. */
static void emit(struct flow_cache *fc, const struct flow_record *r,
		 enum flow_end why)
{
	struct part *p = &fc->parts[r->key.part];
	struct flow_record *q;

	if (fc->q_len == fc->cfg.queue) {
		p->st.dropped++;
		return;
	}
	q = &fc->queue[(fc->q_head + fc->q_len++) % fc->cfg.queue];
	*q = *r;
	q->end_reason = why;
	p->st.records++;
	p->st.ended[why]++;
}

static void hash_unlink(struct flow_cache *fc, uint32_t i)
{
	uint32_t *pp = &fc->buckets[fc->ents[i].hash & fc->mask];

	while (*pp != i)
		pp = &fc->ents[*pp].hnext;
	*pp = fc->ents[i].hnext;
}

/* End entry @i with @why: queue its record, give the entry back. */
static void end_entry(struct flow_cache *fc, uint32_t i, enum flow_end why)
{
	struct entry *e = &fc->ents[i];
	struct part *p = &fc->parts[e->r.key.part];

	emit(fc, &e->r, why);
	hash_unlink(fc, i);
	list_unlink(fc, p, BY_SEEN, i);
	list_unlink(fc, p, BY_START, i);
	part_shrink(fc, p);
	e->used = false;
	e->hnext = fc->free_head;
	fc->free_head = i;
}

static uint32_t find(const struct flow_cache *fc, const struct flow_key *k,
		     uint32_t h)
{
	uint32_t i = fc->buckets[h & fc->mask];

	while (i != NIL &&
	       (fc->ents[i].hash != h || !key_equal(&fc->ents[i].r.key, k)))
		i = fc->ents[i].hnext;
	return i;
}

/* The partition holding the most flows (the cache is full: there is one). */
static struct part *largest(struct flow_cache *fc)
{
	struct part *big = NULL;
	unsigned int k;

	for (k = 0; k < fc->n_busy; k++) {
		struct part *p = &fc->parts[fc->busy[k]];

		if (!big || p->st.entries > big->st.entries)
			big = p;
	}
	return big;
}

/*
 * A free entry for partition @p. At its limit, its least recently seen
 * flow ends (an overflow); under it with the cache full, the least
 * recently seen flow of the partition holding the most ends: no partition
 * is kept below its share by the others.
 */
static uint32_t take_entry(struct flow_cache *fc, struct part *p)
{
	struct part *victim = NULL;
	uint32_t i;

	if (p->st.entries >= fc->cfg.part_limit) {
		p->st.overflow++;
		victim = p;
	} else if (fc->free_head == NIL) {
		victim = largest(fc);
	}
	if (victim && victim->l[BY_SEEN].head != NIL)
		end_entry(fc, victim->l[BY_SEEN].head, FLOW_END_RESOURCES);
	i = fc->free_head;
	if (i != NIL)
		fc->free_head = fc->ents[i].hnext;
	return i;
}

static uint32_t new_entry(struct flow_cache *fc, const struct flow_key *k,
			  uint32_t h, const struct flow_meta *m, uint64_t now)
{
	struct part *p = &fc->parts[k->part];
	uint32_t i = take_entry(fc, p);
	struct entry *e;

	if (i == NIL) {
		p->st.dropped++; /* the others hold it all; counted, no frame lost */
		return NIL;
	}
	e = &fc->ents[i];
	memset(&e->r, 0, sizeof(e->r));
	e->r.key = *k;
	e->r.pkey = m->pkey;
	if (m->ib) {
		e->r.ib = *m->ib;
		e->r.has_ib = true;
	}
	e->r.start_ms = now;
	e->hash = h;
	e->used = true;
	e->hnext = fc->buckets[h & fc->mask];
	fc->buckets[h & fc->mask] = i;
	list_append(fc, p, BY_SEEN, i);
	list_append(fc, p, BY_START, i);
	part_grow(fc, k->part);
	p->st.created++;
	return i;
}

/*
 * How long before @now time @t was; 0 when @t is later (another thread's
 * clock read after the caller's: a frame seen after the timer read now).
 */
static uint64_t age(uint64_t now, uint64_t t)
{
	return now > t ? now - t : 0;
}

/* An active flow past the active timeout: export what it has, go on. */
static void restart(struct flow_cache *fc, uint32_t i, uint64_t now)
{
	struct entry *e = &fc->ents[i];

	emit(fc, &e->r, FLOW_END_ACTIVE);
	e->r.packets = e->r.bytes = e->r.l2_bytes = 0;
	e->r.tcp_flags = 0;
	e->r.start_ms = now;
	list_touch(fc, &fc->parts[e->r.key.part], BY_START, i);
}

/*
 * What a GSO super-frame stands for on the wire after the VM's NIC: its
 * segments (cut as eth/vnet.h cuts them), each with its own headers.
 * Adds the extra headers to *@l3 and *@l2; returns the segments (1 for a
 * plain frame or one that cannot be cut).
 */
static uint32_t gso_segments(const uint8_t *f, uint32_t len,
			     const struct pkt_ol *ol, uint64_t *l3,
			     uint64_t *l2)
{
	uint32_t payload, n, ext;
	struct vnet_l34 l;
	struct vnet_seg s;

	if (!ol || (ol->gso_type & ~VNET_GSO_ECN) == VNET_GSO_NONE)
		return 1;
	vnet_parse(f, len, &l);
	if (vnet_seg_start(&s, f, len, ol, &l, UINT32_MAX / 2, UINT32_MAX / 2))
		return 1;
	payload = l.end - s.hlen;
	n = payload ? (payload + s.mss - 1) / s.mss : 1;
	ext = s.type == VNET_GSO_UDP && l.ipv6 ? 8 : 0; /* fragment header */
	*l3 += (uint64_t)(n - 1) * (s.hlen - l.l3) + (uint64_t)n * ext;
	*l2 += (uint64_t)(n - 1) * s.hlen + (uint64_t)n * ext;
	return n;
}

void flow_cache_observe(struct flow_cache *fc, const uint8_t *frame,
			uint32_t len, const struct flow_meta *m,
			uint64_t now_ms)
{
	struct flow_key k;
	uint8_t flags;
	uint64_t bytes, l2 = len;
	uint32_t h, i, pkts;
	struct entry *e;

	memset(&k, 0, sizeof(k));
	bytes = parse_frame(&k, frame, len, &flags);
	pkts = gso_segments(frame, len, m->ol, &bytes, &l2);
	k.vlan = m->vlan;
	k.part = m->part % FLOW_PARTS_MAX;
	k.in_port = m->in_port;
	k.out_port = m->out_port;
	h = key_hash(&k);
	i = find(fc, &k, h);
	if (i == NIL && (i = new_entry(fc, &k, h, m, now_ms)) == NIL)
		return;
	e = &fc->ents[i];
	if (e->r.packets && age(now_ms, e->r.start_ms) >= fc->cfg.active_ms)
		restart(fc, i, now_ms);
	e->r.packets += pkts;
	e->r.bytes += bytes;
	e->r.l2_bytes += l2;
	e->r.tcp_flags |= flags;
	e->r.end_ms = now_ms;
	if (flags & (TCP_FIN | TCP_RST)) {
		end_entry(fc, i, FLOW_END_EOF);
		return;
	}
	list_touch(fc, &fc->parts[k.part], BY_SEEN, i);
}

/*
 * End the head of @p's list @w while it is @ms old (by its last packet,
 * or by its start): how many.
 */
static unsigned int expire_list(struct flow_cache *fc, struct part *p, int w,
				uint64_t now, uint64_t ms, enum flow_end why)
{
	unsigned int n = 0;
	uint32_t i;

	while ((i = p->l[w].head) != NIL) {
		const struct flow_record *r = &fc->ents[i].r;

		if (age(now, w == BY_SEEN ? r->end_ms : r->start_ms) < ms)
			break;
		end_entry(fc, i, why);
		n++;
	}
	return n;
}

unsigned int flow_cache_expire(struct flow_cache *fc, uint64_t now_ms)
{
	unsigned int n = 0, k;

	/*
	 * Each list is in time order, so each walk stops at its first flow
	 * that stays. Backwards: a partition that empties is replaced in
	 * fc->busy by the last one, already walked.
	 */
	for (k = fc->n_busy; k-- > 0;) {
		struct part *p = &fc->parts[fc->busy[k]];

		n += expire_list(fc, p, BY_SEEN, now_ms, fc->cfg.idle_ms,
				 FLOW_END_IDLE);
		n += expire_list(fc, p, BY_START, now_ms, fc->cfg.active_ms,
				 FLOW_END_ACTIVE);
	}
	return n;
}

void flow_cache_flush_part(struct flow_cache *fc, uint16_t part)
{
	struct part *p = &fc->parts[part % FLOW_PARTS_MAX];

	while (p->l[BY_SEEN].head != NIL)
		end_entry(fc, p->l[BY_SEEN].head, FLOW_END_FORCED);
}

void flow_cache_flush(struct flow_cache *fc, enum flow_end reason)
{
	while (fc->n_busy) {
		struct part *p = &fc->parts[fc->busy[fc->n_busy - 1]];

		end_entry(fc, p->l[BY_SEEN].head, reason);
	}
}

unsigned int flow_cache_pop(struct flow_cache *fc, struct flow_record *out,
			    unsigned int max)
{
	unsigned int n = 0;

	while (n < max && fc->q_len) {
		out[n++] = fc->queue[fc->q_head];
		fc->q_head = (fc->q_head + 1) % fc->cfg.queue;
		fc->q_len--;
	}
	return n;
}

void flow_cache_part_stats(const struct flow_cache *fc, uint16_t part,
			   struct flow_part_stats *st)
{
	*st = fc->parts[part % FLOW_PARTS_MAX].st;
}

void flow_cache_stats(const struct flow_cache *fc, struct flow_part_stats *st)
{
	unsigned int pi, r;

	memset(st, 0, sizeof(*st));
	for (pi = 0; pi < FLOW_PARTS_MAX; pi++) {
		const struct flow_part_stats *s = &fc->parts[pi].st;

		st->entries += s->entries;
		st->created += s->created;
		st->records += s->records;
		st->dropped += s->dropped;
		st->overflow += s->overflow;
		for (r = 0; r < FLOW_END_MAX; r++)
			st->ended[r] += s->ended[r];
	}
}
