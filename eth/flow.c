// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The flow cache (eth/flow.h): a hash table of fixed entries chained by
 * index, one least-recently-seen list per partition (idle expiry walks its
 * head; pressure evicts it) and a ring of ended records for the exporter.
 */
#include "eth/flow.h"

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

struct entry {
	struct flow_record r;
	uint32_t hnext; /* hash chain */
	uint32_t prev, next; /* partition list, least recently seen first */
	uint32_t hash;
	bool used;
};

struct part {
	uint32_t head, tail;
	struct flow_part_stats st;
};

struct flow_cache {
	struct flow_config cfg;
	struct entry *ents;
	uint32_t *buckets;
	uint32_t mask;
	uint32_t free_head; /* free entries chained by hnext */
	struct part *parts; /* FLOW_PARTS_MAX */
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
	fc->queue = calloc(fc->cfg.queue, sizeof(*fc->queue));
	if (!fc->ents || !fc->buckets || !fc->parts || !fc->queue) {
		flow_cache_destroy(fc);
		errno = ENOMEM;
		return NULL;
	}
	memset(fc->buckets, 0xff, nb * sizeof(*fc->buckets));
	for (i = 0; i < FLOW_PARTS_MAX; i++)
		fc->parts[i].head = fc->parts[i].tail = NIL;
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

static void list_unlink(struct flow_cache *fc, struct part *p, uint32_t i)
{
	struct entry *e = &fc->ents[i];

	if (e->prev != NIL)
		fc->ents[e->prev].next = e->next;
	else
		p->head = e->next;
	if (e->next != NIL)
		fc->ents[e->next].prev = e->prev;
	else
		p->tail = e->prev;
}

static void list_append(struct flow_cache *fc, struct part *p, uint32_t i)
{
	struct entry *e = &fc->ents[i];

	e->next = NIL;
	e->prev = p->tail;
	if (p->tail != NIL)
		fc->ents[p->tail].next = i;
	else
		p->head = i;
	p->tail = i;
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
	list_unlink(fc, p, i);
	p->st.entries--;
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

/* A free entry for partition @p: its oldest flow ends if it must. */
static uint32_t take_entry(struct flow_cache *fc, struct part *p)
{
	uint32_t i;

	if (p->st.entries >= fc->cfg.part_limit ||
	    (fc->free_head == NIL && p->head != NIL))
		end_entry(fc, p->head, FLOW_END_RESOURCES);
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
	list_append(fc, p, i);
	p->st.entries++;
	p->st.created++;
	return i;
}

/* An active flow past the active timeout: export what it has, go on. */
static void restart(struct flow_cache *fc, struct entry *e, uint64_t now)
{
	emit(fc, &e->r, FLOW_END_ACTIVE);
	e->r.packets = e->r.bytes = e->r.l2_bytes = 0;
	e->r.tcp_flags = 0;
	e->r.start_ms = now;
}

void flow_cache_observe(struct flow_cache *fc, const uint8_t *frame,
			uint32_t len, const struct flow_meta *m,
			uint64_t now_ms)
{
	struct flow_key k;
	uint8_t flags;
	uint32_t bytes, h, i;
	struct entry *e;

	memset(&k, 0, sizeof(k));
	bytes = parse_frame(&k, frame, len, &flags);
	k.vlan = m->vlan;
	k.part = m->part % FLOW_PARTS_MAX;
	k.in_port = m->in_port;
	k.out_port = m->out_port;
	h = key_hash(&k);
	i = find(fc, &k, h);
	if (i == NIL && (i = new_entry(fc, &k, h, m, now_ms)) == NIL)
		return;
	e = &fc->ents[i];
	if (e->r.packets && now_ms - e->r.start_ms >= fc->cfg.active_ms)
		restart(fc, e, now_ms);
	e->r.packets++;
	e->r.bytes += bytes;
	e->r.l2_bytes += len;
	e->r.tcp_flags |= flags;
	e->r.end_ms = now_ms;
	if (flags & (TCP_FIN | TCP_RST)) {
		end_entry(fc, i, FLOW_END_EOF);
		return;
	}
	if (fc->parts[k.part].tail != i) { /* most recently seen last */
		list_unlink(fc, &fc->parts[k.part], i);
		list_append(fc, &fc->parts[k.part], i);
	}
}

unsigned int flow_cache_expire(struct flow_cache *fc, uint64_t now_ms)
{
	unsigned int n = 0, pi;

	/*
	 * Idle flows only: an active one meets its active timeout with its
	 * next packet (flow_cache_observe()). Least recently seen first, so
	 * each list stops at its first fresh flow.
	 */
	for (pi = 0; pi < FLOW_PARTS_MAX; pi++) {
		struct part *p = &fc->parts[pi];

		while (p->head != NIL &&
		       now_ms - fc->ents[p->head].r.end_ms >= fc->cfg.idle_ms) {
			end_entry(fc, p->head, FLOW_END_IDLE);
			n++;
		}
	}
	return n;
}

void flow_cache_flush_part(struct flow_cache *fc, uint16_t part)
{
	struct part *p = &fc->parts[part % FLOW_PARTS_MAX];

	while (p->head != NIL)
		end_entry(fc, p->head, FLOW_END_FORCED);
}

void flow_cache_flush(struct flow_cache *fc, enum flow_end reason)
{
	unsigned int pi;

	for (pi = 0; pi < FLOW_PARTS_MAX; pi++)
		while (fc->parts[pi].head != NIL)
			end_entry(fc, fc->parts[pi].head, reason);
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
		for (r = 0; r < FLOW_END_MAX; r++)
			st->ended[r] += s->ended[r];
	}
}
