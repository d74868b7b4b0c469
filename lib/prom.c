// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The "stats" reply as Prometheus text. Tables say which JSON value is
 * which metric; the renderer walks them family by family, so each family's
 * samples stay together (the format requires it) whatever the number of
 * ports and partitions. A new counter in the reply is one table line here
 * and one in docs/metrics.md.
 */
#include "lib/prom.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

/* One metric family. */
struct prom_metric {
	const char *name;
	const char *type; /* "counter" or "gauge" */
	const char *help;
	const char *key; /* the value's path in the object: "fdb.learned" */
	/*
	 * Non-NULL: @key is an object whose members are samples labelled
	 * by this label (e.g. "reason"); @members, when set, the ones taken.
	 */
	const char *by;
	const char *const *members;
	/* Non-NULL: an info metric, value 1, these keys' values as labels. */
	const char *const *info;
	/* Non-NULL: 1 when the string at @key is this, else 0. */
	const char *equals;
};

/* Where a table applies: the root object, or each object of an array. */
struct prom_section {
	const char *array; /* NULL: the root object */
	const char *const *ids; /* label, key pairs naming the object */
	const struct prom_metric *metrics;
	size_t n_metrics;
};

static const char *const fdb_refusals[] = { "full", "part_limit", "port_limit",
					    NULL };

#define FAB "fabricd_"
#define METRIC(n, t, h, k) .name = FAB n, .type = t, .help = h, .key = k
#define COUNTER(n, h, k)                            \
	{                                           \
		METRIC(n "_total", "counter", h, k) \
	}
#define GAUGE(n, h, k)                   \
	{                                \
		METRIC(n, "gauge", h, k) \
	}
#define BY_REASON(n, h, k)                                         \
	{                                                          \
		METRIC(n "_total", "counter", h ", by reason", k), \
			.by = "reason"                             \
	}

static const struct prom_metric engine_metrics[] = {
	GAUGE("engine_running", "1 while the forwarding thread runs",
	      "running"),
	COUNTER("engine_wakeups", "wake-ups of the forwarding thread",
		"wakeups"),
	COUNTER("engine_bursts",
		"bursts of frames the forwarding thread "
		"handled",
		"bursts"),
	COUNTER("engine_bytes_copied",
		"bytes copied between buffers "
		"(frames sent to more than one port)",
		"bytes_copied"),
	BY_REASON("engine_drops", "frames dropped by the engine", "drops"),
	GAUGE("pool_buffers", "buffers in the frame pool", "pool.buffers"),
	GAUGE("pool_free_buffers", "free buffers in the frame pool",
	      "pool.free"),
	GAUGE("pool_buffer_size_bytes", "size of one pool buffer",
	      "pool.buf_size"),
	GAUGE("fdb_size_entries", "entries the MAC table holds", "fdb.size"),
	GAUGE("fdb_entries", "MAC addresses learned now", "fdb.entries"),
	GAUGE("fdb_reserved_entries",
	      "free entries kept for partitions' "
	      "fixed quotas",
	      "fdb.reserved"),
	COUNTER("fdb_learned", "MAC addresses learned", "fdb.learned"),
	COUNTER("fdb_moved", "MAC addresses seen moving to another port",
		"fdb.moved"),
	COUNTER("fdb_aged", "MAC addresses aged out", "fdb.aged"),
	{ METRIC("fdb_not_learned_total", "counter",
		 "MAC addresses not learned, by reason (full: table full, "
		 "part_limit: partition quota, port_limit: port limit)",
		 "fdb"),
	  .by = "reason", .members = fdb_refusals },
};

/* The traffic counters ports and partitions share, and their FDB share. */
#define TRAFFIC_METRICS(obj, what)                                             \
	COUNTER(obj "_rx_packets", "frames received " what, "rx_packets"),     \
		COUNTER(obj "_rx_bytes", "bytes received " what, "rx_bytes"),  \
		COUNTER(obj "_tx_packets", "frames sent " what, "tx_packets"), \
		COUNTER(obj "_tx_bytes", "bytes sent " what, "tx_bytes"),      \
		COUNTER(obj "_flooded",                                        \
			"frames flooded (unknown or multicast "                \
			"destination) " what,                                  \
			"flooded"),                                            \
		BY_REASON(obj "_drops", "frames dropped " what, "drops"),      \
		GAUGE(obj "_fdb_entries", "MAC addresses learned " what,       \
		      "fdb.entries"),                                          \
		GAUGE(obj "_fdb_limit_entries",                                \
		      "MAC table limit " what " (no sample: none)",            \
		      "fdb.limit"),                                            \
		GAUGE(obj "_fdb_may_hold_entries",                             \
		      "MAC addresses that could be "                           \
		      "learned " what " now",                                  \
		      "fdb.may_hold"),                                         \
		COUNTER(obj "_fdb_refused",                                    \
			"MAC addresses not learned " what                      \
			" (its limit reached)",                                \
			"fdb.refused"),                                        \
		COUNTER(obj "_fdb_full",                                       \
			"MAC addresses not learned " what " (the table full)", \
			"fdb.full")

static const char *const port_info[] = { "role", "partition", "membership",
					 "mode", "state",     "source",
					 NULL };
static const char *const port_ids[] = { "port", "name", "kind", "kind", NULL };

static const struct prom_metric port_metrics[] = {
	{ METRIC("port_info", "gauge", "a port of the engine (value 1)", NULL),
	  .info = port_info },
	{ METRIC("port_up", "gauge", "1 when the port is open (state up)",
		 "state"),
	  .equals = "up" },
	TRAFFIC_METRICS("port", "on the port"),
	COUNTER("port_kernel_rx_dropped",
		"frames the kernel dropped before "
		"the engine read them",
		"kernel_rx_dropped"),
	COUNTER("port_peer_announced",
		"MACs a peer port announced to its peers", "peer.announced"),
	COUNTER("port_peer_withdrawn",
		"MACs a peer port withdrew from its peers", "peer.withdrawn"),
	COUNTER("port_peer_ann_dropped",
		"MACs a peer port did not announce: too many waiting",
		"peer.ann_dropped"),
	COUNTER("port_peer_moved_dropped",
		"MACs peers announced that did not move in the MAC table: "
		"too many waiting",
		"peer.moved_dropped"),
	COUNTER("port_peer_repeats_cancelled",
		"repeated announcements a peer port did not send: a peer "
		"announced the MAC since",
		"peer.repeats_cancelled"),
};

static const char *const part_info[] = { "pkey", "vlan", NULL };
static const char *const part_ids[] = { "partition", "name", NULL };

static const struct prom_metric part_metrics[] = {
	{ METRIC("partition_info", "gauge",
		 "a partition of the engine "
		 "(value 1), its PKey and VLAN",
		 NULL),
	  .info = part_info },
	GAUGE("partition_active",
	      "1 when the partition forwards (its PKey "
	      "is on the IB port)",
	      "active"),
	TRAFFIC_METRICS("partition", "in the partition"),
	GAUGE("partition_flow_entries",
	      "flows of the partition in the IPFIX flow cache (no sample: "
	      "export off)",
	      "flow.entries"),
	COUNTER("partition_flow_overflow",
		"new flows that found the partition at its flow cache limit "
		"(its least recently seen flow ended early)",
		"flow.overflow"),
	COUNTER("partition_flow_records_dropped",
		"flow records of the partition lost (export queue full)",
		"flow.dropped"),
};

static const char *const mirror_info[] = { "source", "from",	    "direction",
					   "to",     "destination", NULL };
static const char *const mirror_ids[] = { "mirror", "name", NULL };

static const struct prom_metric mirror_metrics[] = {
	{ METRIC("mirror_info", "gauge",
		 "a mirror session (value 1), its source and destination",
		 NULL),
	  .info = mirror_info },
	COUNTER("mirror_frames", "copies the session made", "mirrored"),
	COUNTER("mirror_bytes", "bytes of the copies, as cut to the snaplen",
		"mirrored_bytes"),
	COUNTER("mirror_rate_dropped",
		"copies not made: over the session's rate limit",
		"dropped_rate"),
	COUNTER("mirror_error_dropped",
		"copies not made: no buffer, queue or ring full",
		"dropped_error"),
	COUNTER("mirror_write_errors", "failed writes of the pcap file",
		"write_errors"),
};

static const struct prom_section sections[] = {
	{ NULL, NULL, engine_metrics, ARRAY_SIZE(engine_metrics) },
	{ "ports", port_ids, port_metrics, ARRAY_SIZE(port_metrics) },
	{ "partitions", part_ids, part_metrics, ARRAY_SIZE(part_metrics) },
	{ "mirrors", mirror_ids, mirror_metrics, ARRAY_SIZE(mirror_metrics) },
};

void prom_escape_label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '"')
			fputs("\\\"", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

/* # HELP text: backslash and newline escaped. */
static void escape_help(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

/* The value at dotted path @path of @obj, or NULL. */
static const json_t *lookup(const json_t *obj, const char *path)
{
	char key[64];
	const char *dot;
	size_t n;

	while ((dot = strchr(path, '.'))) {
		n = (size_t)(dot - path);
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		obj = json_object_get(obj, key);
		path = dot + 1;
	}
	return json_object_get(obj, path);
}

/* A sample's value: numbers, booleans as 0/1; false for anything else. */
static bool sample_value(const json_t *v, char *buf, size_t size)
{
	if (json_is_integer(v))
		snprintf(buf, size, "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
	else if (json_is_real(v))
		snprintf(buf, size, "%.17g", json_real_value(v));
	else if (json_is_boolean(v))
		snprintf(buf, size, "%d", json_is_true(v));
	else
		return false;
	return true;
}

/* `name="value"` (@first: no comma before), any scalar as the value. */
static void print_label(FILE *f, bool first, const char *name, const json_t *v)
{
	char num[32];

	fprintf(f, "%s%s=\"", first ? "{" : ",", name);
	if (json_is_string(v))
		prom_escape_label(f, json_string_value(v));
	else if (sample_value(v, num, sizeof(num)))
		fputs(num, f);
	fputc('"', f);
}

/* One family's rendering state. */
struct family {
	FILE *f;
	const struct prom_metric *m;
	const char *const *ids; /* of the section */
	bool started; /* # HELP and # TYPE printed */
};

/* `name{ids,extra="val"} value`, after the header the first time. */
static void print_sample(struct family *fam, const json_t *obj,
			 const char *extra, const char *extra_val,
			 const char *value)
{
	FILE *f = fam->f;
	const char *const *id;
	bool first = true;

	if (!fam->started) {
		fprintf(f, "# HELP %s ", fam->m->name);
		escape_help(f, fam->m->help);
		fprintf(f, "\n# TYPE %s %s\n", fam->m->name, fam->m->type);
		fam->started = true;
	}
	fputs(fam->m->name, f);
	for (id = fam->ids; id && *id; id += 2, first = false)
		print_label(f, first, id[0], json_object_get(obj, id[1]));
	for (id = fam->m->info; id && *id; id++, first = false)
		print_label(f, first, *id, json_object_get(obj, *id));
	if (extra) {
		json_t *s = json_string(extra_val);

		print_label(f, first, extra, s);
		json_decref(s);
		first = false;
	}
	fprintf(f, "%s %s\n", first ? "" : "}", value);
}

/* A member of a "by" object is taken when the metric lists it (or all). */
static bool member_taken(const struct prom_metric *m, const char *name)
{
	const char *const *k;

	if (!m->members)
		return true;
	for (k = m->members; *k; k++)
		if (!strcmp(*k, name))
			return true;
	return false;
}

/* The samples of @fam's metric in one object @obj. */
static void object_samples(struct family *fam, const json_t *obj)
{
	const struct prom_metric *m = fam->m;
	const json_t *v = m->key ? lookup(obj, m->key) : NULL;
	const char *member;
	const json_t *mv;
	char num[32];

	if (m->info) {
		print_sample(fam, obj, NULL, NULL, "1");
	} else if (m->equals) {
		if (json_is_string(v))
			print_sample(fam, obj, NULL, NULL,
				     strcmp(json_string_value(v), m->equals) ?
					     "0" :
					     "1");
	} else if (m->by) {
		json_object_foreach((json_t *)v, member, mv)
			if (member_taken(m, member) &&
			    sample_value(mv, num, sizeof(num)))
				print_sample(fam, obj, m->by, member, num);
	} else if (sample_value(v, num, sizeof(num))) {
		print_sample(fam, obj, NULL, NULL, num);
	}
}

static void section_write(FILE *f, const struct prom_section *sec,
			  const json_t *stats)
{
	const json_t *arr = sec->array ? json_object_get(stats, sec->array) :
					 NULL;
	const json_t *obj;
	size_t i, j;

	for (i = 0; i < sec->n_metrics; i++) {
		struct family fam = { f, &sec->metrics[i], sec->ids, false };

		if (!sec->array) {
			object_samples(&fam, stats);
			continue;
		}
		json_array_foreach(arr, j, obj)
			if (json_is_object(obj))
				object_samples(&fam, obj);
	}
}

int prom_write_stats(FILE *f, const json_t *stats)
{
	size_t i;

	if (json_is_object(stats))
		for (i = 0; i < ARRAY_SIZE(sections); i++)
			section_write(f, &sections[i], stats);
	return ferror(f) ? -EIO : 0;
}

char *prom_stats_text(const json_t *stats, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);
	int ret;

	if (!f)
		return NULL;
	ret = prom_write_stats(f, stats);
	if (fclose(f) || ret) {
		free(buf);
		errno = ret ? -ret : errno;
		return NULL;
	}
	return buf;
}
