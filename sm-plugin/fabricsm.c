// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * libfabricsm.so: an OpenSM event plugin that makes the stock OpenSM enforce
 * the fabric policy. See docs/sm-plugin.md for the flow; in short:
 *
 *   HEAVY_SWEEP_DONE  (discovery finished, not standby, before PKey and LID
 *                      assignment): re-read the policy if it changed, write
 *                      OpenSM's partition file from it, pin LIDs.
 *   SUBNET_UP         report ports whose PKey table was too small, write the
 *                      state snapshot.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sm-plugin/osm.h"

#include "lib/log.h"
#include "lib/paths.h"
#include "lib/policy.h"
#include "lib/util.h"
#include "sm-plugin/fabricsm.h"
#include "sm-plugin/smconf.h"
#include "sm-plugin/smwriter.h"

LOG_MODULE(fabricsm);

/* OpenSM's log levels for ours. Everything but errors goes out at INFO, so
 * that what our own levels let through (log=dbg included) shows with
 * OpenSM's default log_flags (0x03: ERROR and INFO). */
static osm_log_level_t osm_level(enum log_level level)
{
	return level == LOG_LEVEL_ERR ? OSM_LOG_ERROR : OSM_LOG_INFO;
}

/*
 * Every message of the plugin and of the lib/ code it links goes to
 * OpenSM's log, where an administrator of OpenSM looks first. osm_log()
 * rather than OSM_LOG(): the latter would prefix every line with this
 * function's name instead of the module that spoke.
 */
static void fabricsm_log_sink(void *ctx, const char *module,
			      enum log_level level, const char *msg)
{
	struct fabricsm *sm = ctx;
	osm_log_level_t lvl = osm_level(level);

	if (osm_log_is_active(&sm->osm->log, lvl))
		osm_log(&sm->osm->log, lvl, "fabricsm%s%s: %s%s\n",
			strcmp(module, "fabricsm") ? "/" : "",
			strcmp(module, "fabricsm") ? module : "",
			level == LOG_LEVEL_WARN ? "WARNING: " : "", msg);
}

static int opts_set(char **slot, const char *val)
{
	char *dup = strdup(val);

	if (!dup)
		return -ENOMEM;
	free(*slot);
	*slot = dup;
	return 0;
}

/* log=LEVEL: the plugin's log level (err, warn, info, dbg) from the start;
 * dbg adds the time the plugin spends in each sweep. */
static int opts_log(const char *val)
{
	int level = log_level_parse(val);

	if (level < 0) {
		VLOG_ERR("event_plugin_options: log=%s: use off, err, warn, "
			 "info or dbg",
			 val);
		return -EINVAL;
	}
	log_set_level(NULL, level);
	return 0;
}

/* line_max=N: the longest partitions.conf line; 0 turns wrapping off, which
 * only a test of OpenSM's own limit wants. */
static int opts_line_max(struct fabricsm_opts *opts, const char *val)
{
	uint64_t n;

	if (util_parse_u64(val, SMCONF_OSM_LINE_BUF - 1, &n) ||
	    (n && n < 100)) {
		VLOG_ERR("event_plugin_options: line_max=%s: use 100..%d, or 0 "
			 "(no wrapping: tests only)",
			 val, SMCONF_OSM_LINE_BUF - 1);
		return -EINVAL;
	}
	opts->line_max = (size_t)n;
	return 0;
}

static int opts_one(struct fabricsm_opts *opts, char *item)
{
	char *val = strchr(item, '=');

	if (!val || !val[1]) {
		VLOG_ERR("event_plugin_options: \"%s\" needs a value "
			 "(policy=PATH,state=PATH)",
			 item);
		return -EINVAL;
	}
	*val++ = '\0';
	if (!strcmp(item, "policy"))
		return opts_set(&opts->policy, val);
	if (!strcmp(item, "state"))
		return opts_set(&opts->state, val);
	if (!strcmp(item, "log"))
		return opts_log(val);
	if (!strcmp(item, "line_max"))
		return opts_line_max(opts, val);
	VLOG_ERR("event_plugin_options: unknown option \"%s\"; "
		 "known: policy=PATH, state=PATH, log=LEVEL, line_max=N",
		 item);
	return -EINVAL;
}

int fabricsm_opts_parse(const char *s, struct fabricsm_opts *opts)
{
	char *copy, *item, *save = NULL;
	int ret = 0;

	opts->policy = strdup(PATHS_POLICY);
	opts->state = strdup(PATHS_SM_STATE);
	opts->line_max = SMCONF_LINE_MAX;
	if (!opts->policy || !opts->state)
		return -ENOMEM;
	if (!s)
		return 0;
	copy = strdup(s);
	if (!copy)
		return -ENOMEM;
	for (item = strtok_r(copy, ", \t", &save); item && !ret;
	     item = strtok_r(NULL, ", \t", &save))
		ret = opts_one(opts, item);
	free(copy);
	return ret;
}

void fabricsm_opts_free(struct fabricsm_opts *opts)
{
	free(opts->policy);
	free(opts->state);
	opts->policy = opts->state = NULL;
}

static bool same_buf(const char *a, size_t a_len, const char *b, size_t b_len)
{
	return a && a_len == b_len && !memcmp(a, b, a_len);
}

/* Validate @buf; every located error goes to the log, one per line. */
static struct policy *load_logged(struct fabricsm *sm, const char *buf,
				  size_t len, unsigned int *n_errors)
{
	char *errs = NULL, *line, *save = NULL;
	struct policy *pol;
	size_t errs_len = 0;
	FILE *f;

	f = open_memstream(&errs, &errs_len);
	pol = policy_load_buffer(sm->opts.policy, buf, len, f, n_errors);
	if (f)
		fclose(f);
	for (line = errs ? strtok_r(errs, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save))
		VLOG_ERR("%s", line);
	free(errs);
	return pol;
}

static void policy_take(struct fabricsm *sm, struct policy *pol, char *buf,
			size_t len)
{
	char warn[512];

	policy_free(sm->pol);
	free(sm->good);
	sm->pol = pol;
	sm->good = buf;
	sm->good_len = len;
	sm->loaded_at = (uint64_t)time(NULL);
	VLOG_INFO("policy %s in force: fabric \"%s\", %zu partitions, "
		  "%zu LID pins",
		  sm->opts.policy, pol->fabric_name ? pol->fabric_name : "",
		  pol->n_partitions, pol->n_lid_pins);
	if (policy_default_warning(pol, warn, sizeof(warn)))
		VLOG_WARN("%s", warn);
}

static void policy_refuse(struct fabricsm *sm, char *buf, size_t len,
			  unsigned int n_errors)
{
	free(sm->bad);
	sm->bad = buf;
	sm->bad_len = len;
	sm->refused++;
	if (sm->pol)
		VLOG_ERR("policy %s refused (%u errors): the policy loaded "
			 "before stays in force; fix the file and send SIGHUP",
			 sm->opts.policy, n_errors);
	else
		VLOG_ERR("policy %s refused (%u errors) and no earlier policy: "
			 "partitions and LIDs are left as OpenSM has them; fix "
			 "the file and send SIGHUP",
			 sm->opts.policy, n_errors);
}

int fabricsm_policy_refresh(struct fabricsm *sm)
{
	unsigned int n_errors = 0;
	struct policy *pol;
	uint64_t t0;
	size_t len;
	char *buf;
	int ret;

	ret = policy_read_file(sm->opts.policy, &buf, &len);
	if (ret < 0) {
		VLOG_ERR("cannot read policy %s: %s; %s", sm->opts.policy,
			 policy_read_error(ret),
			 sm->pol ? "the policy loaded before stays in force" :
				   "no policy in force");
		return ret;
	}
	if (same_buf(sm->good, sm->good_len, buf, len)) {
		free(buf);
		return 0;
	}
	if (same_buf(sm->bad, sm->bad_len, buf, len)) {
		/* Already refused and logged; say it briefly. */
		VLOG_INFO(
			"policy %s unchanged since refused; still not applied",
			sm->opts.policy);
		free(buf);
		return -EINVAL;
	}
	t0 = util_now_ms();
	pol = load_logged(sm, buf, len, &n_errors);
	VLOG_INFO("policy %s validated in %llu ms", sm->opts.policy,
		  (unsigned long long)(util_now_ms() - t0));
	if (!pol) {
		policy_refuse(sm, buf, len, n_errors);
		return -EINVAL;
	}
	policy_take(sm, pol, buf, len);
	return 1;
}

static const char *partition_file(const struct fabricsm *sm)
{
	const char *f = sm->osm->subn.opt.partition_config_file;

	return f ? f : OSM_DEFAULT_PARTITION_CONFIG_FILE;
}

static void warn_both(const struct fabricsm *sm)
{
	const struct policy_partition *p;
	size_t i, j;

	if (sm->osm->subn.opt.allow_both_pkeys)
		return;
	for (i = 0; i < sm->pol->n_partitions; i++) {
		p = &sm->pol->partitions[i];
		for (j = 0; j < p->n_members; j++)
			if (p->members[j].membership == POLICY_MEMB_BOTH)
				VLOG_WARN(
					"%s:%u:%u: partition %s: membership "
					"\"both\" needs allow_both_pkeys TRUE "
					"in opensm.conf; OpenSM gives full "
					"only",
					sm->opts.policy, p->members[j].loc.line,
					p->members[j].loc.col, p->name);
	}
}

int fabricsm_ports_get(struct fabricsm *sm, struct fabricsm_ports *p)
{
	cl_qmap_t *tbl = &sm->osm->subn.port_guid_tbl;
	size_t n, i = 0;
	osm_port_t *port;
	char *desc;

	CL_PLOCK_ACQUIRE(&sm->osm->lock);
	n = cl_qmap_count(tbl);
	p->v = calloc(n + 1, sizeof(*p->v) + IB_NODE_DESCRIPTION_SIZE + 1);
	desc = (char *)(p->v + n + 1);
	for (port = (osm_port_t *)cl_qmap_head(tbl);
	     p->v && port != (osm_port_t *)cl_qmap_end(tbl);
	     port = (osm_port_t *)cl_qmap_next(&port->map_item), i++) {
		p->v[i].guid = cl_ntoh64(port->guid);
		p->v[i].desc = desc + i * (IB_NODE_DESCRIPTION_SIZE + 1);
		smstate_node_desc(port->p_node,
				  desc + i * (IB_NODE_DESCRIPTION_SIZE + 1),
				  IB_NODE_DESCRIPTION_SIZE + 1);
	}
	CL_PLOCK_RELEASE(&sm->osm->lock);
	p->n = p->v ? i : 0;
	return p->v ? 0 : -ENOMEM;
}

void fabricsm_ports_free(struct fabricsm_ports *p)
{
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

/* Replaces *@slot with the partition file's text on disk (kept as it was
 * when the file cannot be read). */
static void keep_file(struct fabricsm *sm, char **slot, size_t *slot_len)
{
	size_t len;
	char *text;

	if (util_read_file(partition_file(sm), &text, &len) < 0)
		return;
	free(*slot);
	*slot = text;
	*slot_len = len;
}

/* Renders the policy in force for this sweep's fabric. */
static char *render(struct fabricsm *sm, struct fabricsm_ports *ports,
		    size_t *len)
{
	struct smconf_opts o = { .line_max = sm->opts.line_max };

	if (fabricsm_ports_get(sm, ports) < 0)
		return NULL;
	o.ports = ports->v;
	o.n_ports = ports->n;
	return smconf_render(sm->pol, &o, len);
}

/* The text OpenSM refused before is not written again: the last good file
 * stays until the policy changes. */
static bool refused_before(struct fabricsm *sm, const char *text, size_t len)
{
	if (!same_buf(sm->conf_refused, sm->conf_refused_len, text, len))
		return false;
	VLOG_INFO("partitions for policy %s not written: OpenSM refused "
		  "them before (%s); the last good partitions stay",
		  sm->opts.policy, sm->conf_cause);
	return true;
}

static void write_partitions(struct fabricsm *sm, const char *path,
			     const char *text, size_t len)
{
	int ret;

	/* Before the first write of this run: what OpenSM had, to go back to
	 * if it refuses ours. */
	if (!sm->conf_good &&
	    util_read_file(path, &sm->conf_good, &sm->conf_good_len) < 0)
		sm->conf_good = NULL;
	smverify_mark(sm);
	ret = smconf_write(path, text, len);
	if (ret < 0) {
		VLOG_ERR("cannot write %s: %s; OpenSM keeps the previous "
			 "partitions",
			 path, strerror(-ret));
		return;
	}
	sm->conf_state = SMCONF_STATE_POLICY;
	sm->conf_cause[0] = '\0';
	/* Verify a file OpenSM has not yet been seen to take. */
	sm->verify_pending =
		!sm->conf_good_seen ||
		!same_buf(sm->conf_good, sm->conf_good_len, text, len);
	if (ret > 0) {
		VLOG_INFO("wrote %s: %zu partitions", path,
			  sm->pol->n_partitions);
		warn_both(sm); /* once per change, not every sweep */
	}
}

/* Write OpenSM's partition file from the policy in force, unless the file
 * belongs to someone else (no marker): then PKeys stay as they are. */
static void apply_partitions(struct fabricsm *sm)
{
	const char *path = partition_file(sm);
	struct fabricsm_ports ports = { 0 };
	size_t len;
	char *text;

	if (!smconf_is_ours(path)) {
		if (!sm->conf_foreign)
			VLOG_ERR("partition_config_file %s was not written by "
				 "fabricsm; PKeys are not managed. Point "
				 "partition_config_file at a file of the "
				 "plugin's own (e.g. /var/lib/fabricd/"
				 "partitions.conf)",
				 path);
		sm->conf_foreign = true;
		return;
	}
	sm->conf_foreign = false;
	text = render(sm, &ports, &len);
	fabricsm_ports_free(&ports);
	if (!text) {
		VLOG_ERR("cannot render partitions: %s", strerror(errno));
		return;
	}
	if (!refused_before(sm, text, len))
		write_partitions(sm, path, text, len);
	free(text);
}

/*
 * osm_sm_sweep() lives in the opensm program, not in libopensm: the plugin
 * binds it when OpenSM dlopens it; a unit test that links this file has
 * none (weak: NULL there).
 */
#pragma weak osm_sm_sweep

/* Asks OpenSM for a heavy sweep, which re-reads the partition file. */
static void force_sweep(struct fabricsm *sm)
{
	sm->osm->subn.force_heavy_sweep = TRUE;
	if (osm_sm_sweep)
		osm_sm_sweep(&sm->osm->sm);
	else
		VLOG_ERR("cannot force a sweep (no osm_sm_sweep); send SIGHUP");
}

/* Puts the last good file back (or, with none, removes ours so that OpenSM
 * applies its defaults) and forces a heavy sweep that parses it. */
static void restore_partitions(struct fabricsm *sm)
{
	const char *path = partition_file(sm);
	int ret = -ENOENT;

	if (sm->conf_good && sm->conf_state == SMCONF_STATE_POLICY &&
	    !same_buf(sm->conf_good, sm->conf_good_len, sm->conf_refused,
		      sm->conf_refused_len)) {
		smverify_mark(sm);
		ret = util_write_file_atomic(path, sm->conf_good,
					     sm->conf_good_len, 0644);
	}
	if (ret >= 0) {
		sm->conf_state = SMCONF_STATE_RESTORED;
		VLOG_ERR("restored the last good %s%s and forced a heavy "
			 "sweep; the policy's partitions are NOT applied: fix "
			 "what OpenSM refused, then send SIGHUP",
			 path,
			 sm->conf_good_seen ? "" :
					      " (the file OpenSM had before)");
	} else {
		smverify_mark(sm);
		if (unlink(path) && errno != ENOENT)
			VLOG_ERR("cannot remove %s: %s", path, strerror(errno));
		sm->conf_state = SMCONF_STATE_NONE;
		VLOG_ERR("no good partition file to restore: removed %s, so "
			 "that OpenSM applies its defaults (every port a full "
			 "member of 0x7fff only), and forced a heavy sweep",
			 path);
	}
	force_sweep(sm);
}

/* After a sweep that parsed a file of ours: did OpenSM take it? */
static void verify_partitions(struct fabricsm *sm)
{
	struct fabricsm_ports ports = { 0 };
	struct smconf_opts o = { 0 };
	char cause[sizeof(sm->conf_cause)];
	int ret;

	if (!sm->verify_pending || sm->conf_foreign)
		return;
	sm->verify_pending = false;
	fabricsm_ports_get(sm, &ports);
	o.ports = ports.v;
	o.n_ports = ports.n;
	ret = smverify_check(sm, &o, cause, sizeof(cause));
	fabricsm_ports_free(&ports);
	if (!ret) {
		if (sm->conf_state == SMCONF_STATE_POLICY) {
			keep_file(sm, &sm->conf_good, &sm->conf_good_len);
			sm->conf_good_seen = true;
		}
		return;
	}
	snprintf(sm->conf_cause, sizeof(sm->conf_cause), "%s", cause);
	if (sm->conf_state == SMCONF_STATE_POLICY)
		keep_file(sm, &sm->conf_refused, &sm->conf_refused_len);
	VLOG_ERR("OpenSM did not take the partition file %s written for "
		 "policy %s: %s",
		 partition_file(sm), sm->opts.policy, cause);
	restore_partitions(sm);
	sm->verify_pending = true; /* check what went back, too */
}

/* Only a master (or an SM still discovering whether it is one) acts; the
 * events used here are not reported to a standby at all. */
static bool acting(const struct fabricsm *sm)
{
	uint8_t state = sm->osm->subn.sm_state;

	return state == IB_SMINFO_STATE_MASTER ||
	       state == IB_SMINFO_STATE_DISCOVERING;
}

static void on_heavy_sweep_done(struct fabricsm *sm)
{
	uint64_t t0 = util_now_ms();

	if (!acting(sm))
		return;
	sm->sweeps++;
	fabricsm_policy_refresh(sm);
	if (sm->pol) {
		apply_partitions(sm);
		smpins_apply(sm);
	}
	VLOG_DBG("heavy sweep %llu: plugin work %llu ms",
		 (unsigned long long)sm->sweeps,
		 (unsigned long long)(util_now_ms() - t0));
}

static void on_subnet_up(struct fabricsm *sm)
{
	uint64_t t0 = util_now_ms(), t1;
	int ret;

	if (sm->osm->subn.sm_state != IB_SMINFO_STATE_MASTER)
		return;
	if (sm->pol) {
		verify_partitions(sm);
		smstate_check_fit(sm);
	}
	t1 = util_now_ms();
	ret = smstate_write(sm);
	if (ret < 0)
		VLOG_ERR("cannot write state snapshot %s: %s", sm->opts.state,
			 strerror(-ret));
	VLOG_DBG("subnet up: fit check %llu ms, snapshot %llu ms",
		 (unsigned long long)(t1 - t0),
		 (unsigned long long)(util_now_ms() - t1));
}

static void fabricsm_report(void *data, osm_epi_event_id_t id, void *event)
{
	struct fabricsm *sm = data;

	switch (id) {
	case OSM_EVENT_ID_HEAVY_SWEEP_DONE:
		on_heavy_sweep_done(sm);
		break;
	case OSM_EVENT_ID_SUBNET_UP:
		on_subnet_up(sm);
		break;
	default:
		break;
	}
}

static void fabricsm_delete(void *data)
{
	struct fabricsm *sm = data;

	if (!sm)
		return;
	smwriter_stop(sm->writer);
	log_set_sink(NULL, NULL);
	policy_free(sm->pol);
	free(sm->good);
	free(sm->bad);
	free(sm->conf_good);
	free(sm->conf_refused);
	fabricsm_opts_free(&sm->opts);
	free(sm);
}

/* Called by OpenSM once options are parsed and before the first sweep.
 * Returns NULL (OpenSM then runs without the plugin) only when the options
 * are wrong; a bad policy is retried on every heavy sweep instead. */
static void *fabricsm_create(struct osm_opensm *osm)
{
	struct fabricsm *sm = calloc(1, sizeof(*sm));

	if (!sm)
		return NULL;
	sm->osm = osm;
	sm->log_mark = -1;
	log_set_sink(fabricsm_log_sink, sm);
	if (fabricsm_opts_parse(osm->subn.opt.event_plugin_options, &sm->opts) <
	    0) {
		VLOG_ERR("plugin not started: fix event_plugin_options");
		fabricsm_delete(sm);
		return NULL;
	}
	sm->writer = smwriter_start(sm->opts.state);
	if (!sm->writer) {
		VLOG_ERR("plugin not started: no snapshot thread: %s",
			 strerror(errno));
		fabricsm_delete(sm);
		return NULL;
	}
	VLOG_INFO("policy=%s state=%s partitions=%s", sm->opts.policy,
		  sm->opts.state, partition_file(sm));
	if (osm->subn.opt.reassign_lids)
		VLOG_WARN("reassign_lids is TRUE: OpenSM ignores its guid2lid "
			  "table on the first sweep, so LID pins apply from "
			  "the second; set reassign_lids FALSE");
	fabricsm_policy_refresh(sm);
	return sm;
}

/* The one symbol the library exports (see fabricsm.map). */
osm_event_plugin_t osm_event_plugin = {
	.osm_version = OSM_VERSION,
	.create = fabricsm_create,
	.delete = fabricsm_delete,
	.report = fabricsm_report,
};
