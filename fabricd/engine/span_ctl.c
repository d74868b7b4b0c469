// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The mirror commands: mirror/add, mirror/del (root only: a mirror copies
 * tenants' traffic; checked here with the peer's SO_PEERCRED uid, whatever
 * the client says) and mirror/list. They take the engine lock.
 */
#include "fabricd/engine/engine_priv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/ctl_server.h"
#include "lib/util.h"

#define MIRROR_ADD_USAGE                                                 \
	"NAME from (PORT | partition NAME) [rx | tx | both] to (PORT | " \
	"pcap FILE) [snaplen N] [rate N]"

static json_t *session_json(const struct engine_core *c,
			    const struct span_session *s)
{
	json_t *o = json_object();

	json_object_set_new(o, "name", json_string(s->name));
	json_object_set_new(o, "source",
			    json_string(s->src_port >= 0 ? "port" :
							   "partition"));
	json_object_set_new(
		o, "from",
		json_string(s->src_port >= 0 ? c->ports[s->src_port].port.name :
					       c->parts[s->src_part].name));
	json_object_set_new(o, "direction", json_string(span_dir_name(s->dir)));
	json_object_set_new(o, "to", json_string(s->pcap ? "pcap" : "port"));
	json_object_set_new(
		o, "destination",
		json_string(s->pcap ? s->path :
				      c->ports[s->dst_port].port.name));
	json_object_set_new(
		o, "linktype",
		s->pcap ? json_integer(s->ipoib ? PCAPW_LINKTYPE_IPOIB :
						  PCAPW_LINKTYPE_ETHERNET) :
			  json_null());
	json_object_set_new(o, "snaplen", json_integer(s->snaplen));
	json_object_set_new(o, "rate", json_integer(s->rate));
	json_object_set_new(o, "mirrored",
			    json_integer((json_int_t)s->mirrored));
	json_object_set_new(o, "mirrored_bytes",
			    json_integer((json_int_t)s->mirrored_bytes));
	json_object_set_new(o, "dropped_rate",
			    json_integer((json_int_t)s->dropped_rate));
	json_object_set_new(o, "dropped_error",
			    json_integer((json_int_t)s->dropped_error));
	json_object_set_new(o, "write_errors",
			    json_integer((json_int_t)s->write_errors));
	return o;
}

/* A number argument after @key; 0 on success. */
static int parse_num(const char *key, const char *s, uint32_t max,
		     uint32_t *out, char **error)
{
	uint64_t v;

	if (!s || util_parse_u64(s, max, &v) || !v)
		return engine_fail(error, -EINVAL, "%s: want 1..%u", key, max);
	*out = (uint32_t)v;
	return 0;
}

static int parse_dir(const char *s)
{
	if (!strcmp(s, "rx"))
		return SPAN_DIR_RX;
	if (!strcmp(s, "tx"))
		return SPAN_DIR_TX;
	if (!strcmp(s, "both"))
		return SPAN_DIR_BOTH;
	return 0;
}

/*
 * "@kw (NAME | @alt VALUE)" at argv[*i]: NAME into *@name or VALUE into
 * *@value; *@i moves past it.
 */
static int parse_end(int argc, const char *const argv[], int *i, const char *kw,
		     const char *alt, const char **name, const char **value,
		     char **error)
{
	if (*i + 1 >= argc || strcmp(argv[*i], kw))
		return engine_fail(error, -EINVAL, "usage: %s",
				   MIRROR_ADD_USAGE);
	if (!strcmp(argv[*i + 1], alt) && *i + 2 < argc) {
		*value = argv[*i + 2];
		*i += 3;
	} else {
		*name = argv[*i + 1];
		*i += 2;
	}
	return 0;
}

static int parse_add(int argc, const char *const argv[], struct span_cfg *cfg,
		     char **error)
{
	int i = 1, ret;

	memset(cfg, 0, sizeof(*cfg));
	cfg->name = argv[0];
	ret = parse_end(argc, argv, &i, "from", "partition", &cfg->src_port,
			&cfg->src_part, error);
	if (!ret && i < argc && parse_dir(argv[i]))
		cfg->dir = (unsigned int)parse_dir(argv[i++]);
	if (!ret)
		ret = parse_end(argc, argv, &i, "to", "pcap", &cfg->dst_port,
				&cfg->pcap, error);
	for (; !ret && i < argc; i += 2) {
		if (!strcmp(argv[i], "snaplen"))
			ret = parse_num("snaplen", argv[i + 1],
					PCAPW_SNAPLEN_MAX, &cfg->snaplen,
					error);
		else if (!strcmp(argv[i], "rate"))
			ret = parse_num("rate", argv[i + 1], SPAN_RATE_MAX,
					&cfg->rate, error);
		else
			ret = engine_fail(error, -EINVAL,
					  "unexpected '%s'; usage: %s", argv[i],
					  MIRROR_ADD_USAGE);
	}
	return ret;
}

/*
 * Open @cfg's pcap file with the link type span_check() gave (@linktype),
 * outside the engine lock: the forwarding thread never waits for a file.
 */
static int open_pcap(struct span_cfg *cfg, int linktype, char **error)
{
	cfg->pcap_w = pcapw_open(
		cfg->pcap, (uint32_t)linktype,
		cfg->snaplen ? cfg->snaplen : SPAN_SNAPLEN_DEFAULT, 0);
	if (!cfg->pcap_w)
		return engine_fail(error, -errno, "pcap file %s: %s", cfg->pcap,
				   strerror(errno));
	cfg->pcap_linktype = (uint32_t)linktype;
	return 0;
}

static int cmd_mirror_add(int argc, const char *const argv[], void *aux,
			  json_t **result, char **error)
{
	struct engine *e = aux;
	struct span_cfg cfg;
	int ret;

	ret = parse_add(argc, argv, &cfg, error);
	if (ret)
		return ret;
	engine_lock(e);
	ret = span_check(&e->core, &cfg, error);
	engine_unlock(e);
	if (ret > 0)
		ret = open_pcap(&cfg, ret, error);
	if (ret < 0)
		return ret;
	engine_lock(e);
	ret = span_add(&e->core, &cfg, error);
	if (ret >= 0)
		*result = session_json(&e->core, &e->core.span.s[ret]);
	engine_unlock(e);
	if (ret < 0 && cfg.pcap_w) { /* changed meanwhile: not ours */
		pcapw_close(cfg.pcap_w);
		unlink(cfg.pcap);
	}
	return ret < 0 ? ret : 0;
}

static int cmd_mirror_del(int argc, const char *const argv[], void *aux,
			  json_t **result, char **error)
{
	struct engine *e = aux;
	int ret;

	engine_lock(e);
	ret = span_del(&e->core, argv[0]);
	engine_unlock(e);
	span_flush(&e->core); /* its file complete when the reply comes */
	if (ret)
		return engine_fail(error, ret, "no mirror %s", argv[0]);
	*result = NULL;
	return 0;
}

json_t *engine_mirrors_json_locked(const struct engine *e)
{
	json_t *a = json_array();
	unsigned int i;

	for (i = 0; i < SPAN_MAX_SESSIONS; i++)
		if (e->core.span.s[i].used)
			json_array_append_new(
				a, session_json(&e->core, &e->core.span.s[i]));
	return a;
}

json_t *engine_mirrors_json(struct engine *e)
{
	json_t *a;

	engine_lock(e);
	a = engine_mirrors_json_locked(e);
	engine_unlock(e);
	return a;
}

static int cmd_mirror_list(int argc, const char *const argv[], void *aux,
			   json_t **result, char **error)
{
	*result = engine_mirrors_json(aux);
	return 0;
}

bool engine_mirror_flush(struct engine *e)
{
	return span_flush(&e->core);
}

void engine_register_mirror_commands(struct engine *e, struct ctl_server *srv)
{
	ctl_server_register(srv, "mirror/add", MIRROR_ADD_USAGE, 5, 11,
			    cmd_mirror_add, e);
	ctl_server_register(srv, "mirror/del", "NAME", 1, 1, cmd_mirror_del, e);
	ctl_server_register(srv, "mirror/list", "", 0, 0, cmd_mirror_list, e);
	ctl_server_set_root_only(srv, "mirror/add");
	ctl_server_set_root_only(srv, "mirror/del");
}
