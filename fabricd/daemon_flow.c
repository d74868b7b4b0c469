// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * IPFIX export in the daemon (docs/ipfix.md): the policy's flow_export:
 * key or `fabricctl flow export` sets it up; a main-loop timer drains the
 * engine's flow cache and hands the records to libfixbuf
 * (fabricd/flow_export.c), so the forwarding thread never waits on the
 * network. Commands flow/export and flow/show.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "eth/flow.h"
#include "fabricd/daemon_priv.h"
#include "fabricd/engine/engine.h"
#include "fabricd/flow_export.h"
#include "lib/ctl_server.h"
#include "lib/log.h"
#include "lib/policy.h"
#include "lib/util.h"

LOG_MODULE(flow);

#define DRAIN_EVERY_MS 500
#define TEMPLATES_EVERY_MS 10000 /* UDP: repeated (RFC 7011 10.3.6) */
#define DRAIN_BATCH 256

struct flow_settings {
	char collector[300]; /* as given: HOST:PORT */
	unsigned int sampling, active_timeout, idle_timeout;
	uint32_t domain;
	unsigned int cache_size, partition_share; /* flows, percent */
};

struct daemon_flow {
	struct flow_export *fx; /* NULL: export off */
	struct flow_settings cur;
	bool runtime; /* set by flow/export: a reload keeps it */
	char policy_sig[512]; /* the policy's flow_export: applied last */
	uint64_t next_drain_ms, next_templates_ms;
	struct flow_export_stats past; /* of exporters replaced */
	char error[256]; /* of the last setup, "" when fine */
	struct flow_record buf[DRAIN_BATCH];
};

static int fail(char **error, int ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char **error, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (error && vasprintf(error, fmt, ap) < 0)
		*error = NULL;
	va_end(ap);
	return ret;
}

static void add_stats(struct flow_export_stats *a,
		      const struct flow_export_stats *b)
{
	a->records += b->records;
	a->errors += b->errors;
	a->template_sends += b->template_sends;
}

static int send_templates(struct daemon *d, struct flow_export *fx)
{
	size_t i, n = d->pol->n_partitions;
	struct flow_export_part *parts = calloc(n + 1, sizeof(*parts));
	int ret;

	if (!parts)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		parts[i].name = d->pol->partitions[i].name;
		parts[i].pkey = d->pol->partitions[i].pkey;
	}
	ret = flow_export_templates(fx, parts, n);
	free(parts);
	return ret;
}

/* Take what the engine has ended (all of it when @flush) and send it. */
static void drain(struct daemon *d, struct flow_export *fx, bool flush)
{
	struct daemon_flow *f = d->flow;
	uint64_t now = util_now_ms();
	unsigned int n;

	if (!d->engine)
		return;
	do {
		n = engine_flow_drain(d->engine, now, flush, f->buf,
				      DRAIN_BATCH);
		flush = false; /* once flushed, pop the rest */
		if (n && fx)
			flow_export_records(fx, f->buf, n);
	} while (n == DRAIN_BATCH);
	if (fx)
		flow_export_flush(fx);
}

/* The flow cache @s asks for: its size, a partition's share, timeouts. */
static void cache_config(const struct flow_settings *s, struct flow_config *fc)
{
	uint64_t limit = (uint64_t)s->cache_size * s->partition_share / 100;

	fc->size = s->cache_size;
	fc->part_limit = limit ? (unsigned int)limit : 1;
	fc->active_ms = s->active_timeout * 1000ull;
	fc->idle_ms = s->idle_timeout * 1000ull;
}

/* Replace the exporter: @s NULL turns export off. 0 or a negative errno. */
static int flow_setup(struct daemon *d, const struct flow_settings *s,
		      char **error)
{
	struct daemon_flow *f = d->flow;
	struct flow_export *fx = NULL;
	struct flow_export_cfg cfg = { 0 };
	struct flow_config fc = { 0 };
	struct flow_export_stats st;
	char host[256];
	int ret;

	if (s) {
		if (policy_parse_hostport(s->collector, host, sizeof(host),
					  &cfg.port))
			return fail(error, -EINVAL,
				    "collector '%s' is not HOST:PORT",
				    s->collector);
		cfg.host = host;
		cfg.domain = s->domain;
		cfg.sampling = s->sampling;
		fx = flow_export_create(&cfg, error);
		if (!fx)
			return -errno;
	}
	if (f->fx) {
		drain(d, f->fx, true);
		flow_export_get_stats(f->fx, &st);
		add_stats(&f->past, &st);
		flow_export_destroy(f->fx);
	}
	f->fx = fx;
	if (s)
		cache_config(s, &fc);
	ret = d->engine ? engine_flow_set(d->engine, s ? &fc : NULL,
					  s ? s->sampling : 0) :
			  0;
	if (ret)
		VLOG_ERR("flow cache: %s", strerror(-ret));
	if (s) {
		f->cur = *s;
		send_templates(d, fx);
		f->next_templates_ms = util_now_ms() + TEMPLATES_EVERY_MS;
		VLOG_INFO("flow export to %s, sampling 1:%u", s->collector,
			  s->sampling);
	} else {
		memset(&f->cur, 0, sizeof(f->cur));
	}
	return ret;
}

static void policy_settings(const struct policy_flow_export *p,
			    struct flow_settings *s)
{
	memset(s, 0, sizeof(*s));
	util_strlcpy(s->collector, p->collector ? p->collector : "",
		     sizeof(s->collector));
	s->sampling = p->sampling;
	s->active_timeout = p->active_timeout;
	s->idle_timeout = p->idle_timeout;
	s->domain = p->observation_domain;
	s->cache_size = p->cache_size;
	s->partition_share = p->partition_share;
}

void daemon_flow_apply(struct daemon *d)
{
	struct daemon_flow *f = d->flow;
	struct flow_settings s;
	char sig[sizeof(f->policy_sig)];
	char *error = NULL;

	if (!f)
		return;
	policy_settings(&d->pol->flow_export, &s);
	snprintf(sig, sizeof(sig), "%s %u %u %u %u %u %u", s.collector,
		 s.sampling, s.active_timeout, s.idle_timeout, s.domain,
		 s.cache_size, s.partition_share);
	if (!strcmp(sig, f->policy_sig))
		return; /* unchanged: a setting made at run time stays */
	util_strlcpy(f->policy_sig, sig, sizeof(f->policy_sig));
	f->runtime = false;
	if (flow_setup(d, s.collector[0] ? &s : NULL, &error) < 0) {
		snprintf(f->error, sizeof(f->error), "%s",
			 error ? error : "cannot set up flow export");
		VLOG_ERR("flow_export: %s; export stays off until the "
			 "policy or 'fabricctl flow export' fixes it",
			 f->error);
	} else {
		f->error[0] = '\0';
	}
	free(error);
}

uint64_t daemon_flow_due_ms(const struct daemon *d)
{
	const struct daemon_flow *f = d->flow;

	return f && f->fx ? f->next_drain_ms : UINT64_MAX;
}

void daemon_flow_run(struct daemon *d, uint64_t now)
{
	struct daemon_flow *f = d->flow;

	if (!f || !f->fx || now < f->next_drain_ms)
		return;
	f->next_drain_ms = now + DRAIN_EVERY_MS;
	if (now >= f->next_templates_ms) {
		send_templates(d, f->fx);
		f->next_templates_ms = now + TEMPLATES_EVERY_MS;
	}
	drain(d, f->fx, false);
}

void daemon_flow_stop(struct daemon *d)
{
	if (!d->flow)
		return;
	if (d->flow->fx)
		flow_setup(d, NULL, NULL);
	free(d->flow);
	d->flow = NULL;
}

/* ---- flow/export, flow/show -------------------------------------------- */

struct flow_arg {
	const char *name;
	unsigned int min, max;
	size_t off; /* in struct flow_settings */
};

static const struct flow_arg flow_args[] = {
	{ "sampling", 1, POLICY_FLOW_SAMPLING_MAX,
	  offsetof(struct flow_settings, sampling) },
	{ "active_timeout", 1, POLICY_FLOW_TIMEOUT_MAX,
	  offsetof(struct flow_settings, active_timeout) },
	{ "idle_timeout", 1, POLICY_FLOW_TIMEOUT_MAX,
	  offsetof(struct flow_settings, idle_timeout) },
	{ "observation_domain", 0, UINT32_MAX,
	  offsetof(struct flow_settings, domain) },
	{ "cache_size", POLICY_FLOW_CACHE_MIN, POLICY_FLOW_CACHE_MAX,
	  offsetof(struct flow_settings, cache_size) },
	{ "partition_share", 1, 100,
	  offsetof(struct flow_settings, partition_share) },
};

/* COLLECTOR [KEY VALUE]...: what the command asks; 0 or -EINVAL. */
static int parse_export(int argc, const char *const argv[],
			struct flow_settings *s, char **error)
{
	uint64_t v;
	size_t j;
	int i;

	s->sampling = 1;
	s->active_timeout = POLICY_FLOW_ACTIVE_DEFAULT;
	s->idle_timeout = POLICY_FLOW_IDLE_DEFAULT;
	s->domain = 0;
	s->cache_size = POLICY_FLOW_CACHE_DEFAULT;
	s->partition_share = POLICY_FLOW_SHARE_DEFAULT;
	util_strlcpy(s->collector, argv[0], sizeof(s->collector));
	for (i = 1; i + 1 < argc; i += 2) {
		for (j = 0; j < ARRAY_SIZE(flow_args); j++)
			if (!strcmp(argv[i], flow_args[j].name))
				break;
		if (j == ARRAY_SIZE(flow_args) ||
		    util_parse_u64(argv[i + 1], flow_args[j].max, &v) ||
		    v < flow_args[j].min)
			return fail(error, -EINVAL,
				    "bad '%s %s'; use sampling 1..%u, "
				    "active_timeout/idle_timeout "
				    "1..%u, observation_domain N, "
				    "cache_size %u..%u, "
				    "partition_share 1..100 (percent)",
				    argv[i], argv[i + 1],
				    POLICY_FLOW_SAMPLING_MAX,
				    POLICY_FLOW_TIMEOUT_MAX,
				    POLICY_FLOW_CACHE_MIN,
				    POLICY_FLOW_CACHE_MAX);
		*(uint32_t *)((char *)s + flow_args[j].off) = (uint32_t)v;
	}
	if (i < argc)
		return fail(error, -EINVAL, "'%s' lacks its value", argv[i]);
	if (s->idle_timeout > s->active_timeout)
		return fail(error, -EINVAL,
			    "idle_timeout %u is longer than "
			    "active_timeout %u",
			    s->idle_timeout, s->active_timeout);
	return 0;
}

static json_t *settings_json(const struct daemon_flow *f)
{
	if (!f->fx)
		return json_null();
	return json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:b}",
			 "collector", f->cur.collector, "sampling",
			 (json_int_t)f->cur.sampling, "active_timeout",
			 (json_int_t)f->cur.active_timeout, "idle_timeout",
			 (json_int_t)f->cur.idle_timeout, "observation_domain",
			 (json_int_t)f->cur.domain, "cache_size",
			 (json_int_t)f->cur.cache_size, "partition_share",
			 (json_int_t)f->cur.partition_share, "runtime",
			 f->runtime);
}

static json_t *flow_show_json(struct daemon *d)
{
	struct daemon_flow *f = d->flow;
	struct flow_export_stats st = f->past, now;
	json_t *o;

	if (f->fx) {
		flow_export_get_stats(f->fx, &now);
		add_stats(&st, &now);
	}
	o = json_pack("{s:o, s:I, s:I, s:I, s:s?}", "export", settings_json(f),
		      "exported", (json_int_t)st.records, "template_sends",
		      (json_int_t)st.template_sends, "export_errors",
		      (json_int_t)st.errors, "error",
		      f->error[0] ? f->error : NULL);
	json_object_set_new(o, "cache",
			    d->engine ? engine_flow_json(d->engine) :
					json_pack("{s:b}", "enabled", 0));
	return o;
}

static int cmd_flow_export(int argc, const char *const argv[], void *aux,
			   json_t **result, char **error)
{
	struct daemon *d = aux;
	struct flow_settings s;
	int ret;

	if (argc == 1 && !strcmp(argv[0], "off")) {
		ret = flow_setup(d, NULL, error);
	} else {
		ret = parse_export(argc, argv, &s, error);
		if (!ret)
			ret = flow_setup(d, &s, error);
	}
	if (ret)
		return ret;
	d->flow->runtime = true;
	d->flow->error[0] = '\0';
	*result = flow_show_json(d);
	return 0;
}

static int cmd_flow_show(int argc, const char *const argv[], void *aux,
			 json_t **result, char **error)
{
	*result = flow_show_json(aux);
	return 0;
}

int daemon_flow_register(struct daemon *d)
{
	int ret;

	d->flow = calloc(1, sizeof(*d->flow));
	if (!d->flow)
		return -ENOMEM;
	ret = ctl_server_register(
		d->ctl, "flow/export",
		"COLLECTOR [sampling N] [active_timeout S] [idle_timeout S] "
		"[observation_domain N] [cache_size N] [partition_share P] "
		"| off",
		1, 13, cmd_flow_export, d);
	if (!ret)
		ret = ctl_server_register(d->ctl, "flow/show", "", 0, 0,
					  cmd_flow_show, d);
	return ret;
}
