/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The OpenSM event plugin libfabricsm.so: shared state of its modules.
 * Everything here runs in OpenSM's state-manager thread (the events the
 * plugin acts on are reported from there), so the plugin needs no lock of
 * its own; OpenSM's subnet is read or changed under osm->lock.
 */
#ifndef FABRIC_FABRICSM_H
#define FABRIC_FABRICSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct osm_node;
struct smconf_opts;
struct smconf_port;
struct osm_opensm;
struct policy;
struct smwriter;

struct fabricsm_opts {
	char *policy; /* policy file */
	char *state; /* state snapshot file */
	size_t line_max; /* longest partitions.conf line; 0: no wrapping */
};

/* What the partition file on disk holds. */
enum smconf_state {
	SMCONF_STATE_NONE, /* nothing of ours yet, or removed */
	SMCONF_STATE_POLICY, /* the rendering of the policy in force */
	SMCONF_STATE_RESTORED, /* a last good file put back after a refusal */
};

/* The end ports and node descriptions of this sweep (node selectors). */
struct fabricsm_ports {
	struct smconf_port *v;
	size_t n;
};

struct fabricsm {
	struct osm_opensm *osm;
	struct fabricsm_opts opts;
	struct smwriter *writer; /* writes state snapshots off the SM thread */
	struct policy *pol; /* the policy in force, NULL before a good one */
	char *good; /* file content of @pol, to notice edits */
	size_t good_len;
	char *bad; /* last refused content: its errors are logged once */
	size_t bad_len;
	unsigned int refused; /* policies refused since start */
	bool conf_foreign; /* partition file is not ours: PKeys left alone */
	enum smconf_state conf_state;
	char *conf_good; /* last partition file text OpenSM took */
	size_t conf_good_len;
	bool conf_good_seen; /* taken in this run; else the file found on
			      * disk before the first write, kept to go back to */
	char *conf_refused; /* text OpenSM refused: not written again */
	size_t conf_refused_len;
	char conf_cause[512]; /* why; "" while the policy's file is in force */
	bool verify_pending; /* OpenSM parses a new file of ours this sweep */
	long log_mark; /* size of osm.log when the file was written, or -1 */
	uint64_t sweeps; /* heavy sweeps seen as master */
	uint64_t loaded_at; /* wall-clock seconds when @pol was loaded */
};

/*
 * fabricsm_opts_parse - parse event_plugin_options, "key=value" pairs
 * separated by commas or spaces: policy=PATH, state=PATH, log=LEVEL (sets
 * the level of every module at once). NULL or empty
 * gives the defaults. Returns 0 or -EINVAL (unknown key, missing value);
 * @opts is filled either way and must be freed with fabricsm_opts_free().
 */
int fabricsm_opts_parse(const char *s, struct fabricsm_opts *opts);
void fabricsm_opts_free(struct fabricsm_opts *opts);

/*
 * fabricsm_policy_refresh - read the policy file; when it differs from the
 * policy in force, validate it and, if valid, make it the policy in force.
 * A refused file leaves the old policy in force and its located errors in
 * OpenSM's log. Returns 1 when a new policy took force, 0 when nothing
 * changed, or a negative errno (read error, invalid policy).
 */
int fabricsm_policy_refresh(struct fabricsm *sm);

/*
 * smpins_apply - make OpenSM's LID manager give each pinned port its LID in
 * this sweep: the pins go into OpenSM's guid2lid table, and any other port
 * holding a pinned LID (in the table or on the wire) loses it and is logged.
 * Call after discovery and before LID assignment. Returns the number of
 * conflicts resolved, or a negative errno.
 */
int smpins_apply(struct fabricsm *sm);

/*
 * fabricsm_ports_get - the end ports OpenSM discovered, with their nodes'
 * descriptions, into @p (free with fabricsm_ports_free). Takes osm->lock.
 * Returns 0 or -ENOMEM.
 */
int fabricsm_ports_get(struct fabricsm *sm, struct fabricsm_ports *p);
void fabricsm_ports_free(struct fabricsm_ports *p);

/* smverify_mark - remember where osm.log ends, before OpenSM parses the
 * partition file we just wrote. */
void smverify_mark(struct fabricsm *sm);

/*
 * smverify_check - after the sweep in which OpenSM parsed our partition
 * file: 0 when it took it, -EPROTO when not, with the cause in @cause (a
 * PARSE ERROR OpenSM logged since smverify_mark(), or a PKey it should
 * hold for a port and does not). @o: the ports node selectors resolved to.
 */
int smverify_check(struct fabricsm *sm, const struct smconf_opts *o,
		   char *cause, size_t len);

/*
 * smstate_check_fit - log every end port whose PKey table (as OpenSM holds
 * it after the sweep) lacks a partition the policy gives it, naming the
 * partitions that did not fit. Returns the number of such ports.
 */
unsigned int smstate_check_fit(struct fabricsm *sm);

/*
 * smstate_write - build the JSON state snapshot (every end port, its LID
 * and PKeys) and queue it for sm->writer, which writes it atomically to
 * sm->opts.state. Returns 0 or a negative errno.
 */
int smstate_write(struct fabricsm *sm);

/*
 * smstate_node_desc - a node's description as a printable C string (at most
 * @len - 1 characters; bytes outside printable ASCII become '?').
 */
void smstate_node_desc(const struct osm_node *node, char *buf, size_t len);

#endif /* FABRIC_FABRICSM_H */
