// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The reconciler's driver (see reconcile.h): read the kernel, plan, apply
 * the plan in three pipelined phases (deletions; link creations; address
 * additions, once the new links have ifindexes), record what it owns.
 */
#include "fabricd/reconcile/reconcile.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "fabricd/reconcile/reconcile_kernel.h"
#include "fabricd/reconcile/reconcile_state.h"
#include "lib/log.h"
#include "lib/util.h"

LOG_MODULE(reconcile);

/* Requests in flight before the acks are collected. */
#define RC_WINDOW 256
#define RC_SOCK_BUF (8 * 1024 * 1024)

struct reconciler {
	struct nl_sock *sk; /* requests and dumps */
	struct nl_sock *ev; /* kernel events */
	char *state_file;
	char *state_text; /* what the state file holds */
	/*
	 * The state file could not be read (-EBADMSG, -EPROTO, ...): which
	 * addresses are fabricd's is unknown. The file is left as it is (no
	 * write) until reconcile_adopt() takes ownership afresh.
	 */
	int state_bad;
	bool adopt; /* the next run adopts what matches the desired set */
	struct rc_set actual;
	struct rc_set owned;
	struct rc_plan plan;
	int *errs; /* per op of the plan: 0 or -errno */
	bool vlan_missing;
	bool events; /* set by the event callback */
	struct reconcile_stats st;
};

/* In-flight requests of one window; seqs are consecutive on our socket. */
struct rc_batch {
	struct reconciler *rc;
	uint32_t first_seq;
	size_t n;
	size_t op[RC_WINDOW + 1];
};

static struct log_ratelimit fail_rl = LOG_RATELIMIT_INIT(5, 20);
/* State file errors: one a minute after a burst of three. */
static struct log_ratelimit state_rl = LOG_RATELIMIT_INIT(1, 3);

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static const char *ext_ack_msg(struct nlmsghdr *h)
{
	struct nlmsgerr *e = nlmsg_data(h);
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	struct nlattr *attrs;
	int len;

	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	attrs = (struct nlattr *)((char *)e + sizeof(*e));
	len = (int)h->nlmsg_len - (int)((char *)attrs - (char *)h);
	if (len <= 0 || nla_parse(tb, NLMSGERR_ATTR_MAX, attrs, len, NULL))
		return NULL;
	return tb[NLMSGERR_ATTR_MSG] ? nla_get_string(tb[NLMSGERR_ATTR_MSG]) :
				       NULL;
}

static void batch_ack(struct rc_batch *b, struct nlmsghdr *h, size_t *got)
{
	struct nlmsgerr *e = nlmsg_data(h);
	size_t slot = h->nlmsg_seq - b->first_seq;
	const char *why;
	size_t op;

	if (slot >= b->n)
		return;
	(*got)++;
	op = b->op[slot];
	if (!e->error || b->rc->errs[op])
		return;
	b->rc->errs[op] = e->error;
	why = ext_ack_msg(h);
	if (why)
		VLOG_DBG("op %zu: %s (%s)", op, strerror(-e->error), why);
}

/* Collect the acks of every request in flight. Returns 0 or -errno. */
static int batch_flush(struct rc_batch *b)
{
	struct sockaddr_nl peer;
	unsigned char *buf;
	struct nlmsghdr *h;
	size_t got = 0;
	int len;

	while (got < b->n) {
		len = nl_recv(b->rc->sk, &peer, &buf, NULL);
		if (len <= 0)
			return len ? rc_nle_errno(len) : -EIO;
		for (h = (struct nlmsghdr *)buf; nlmsg_ok(h, len);
		     h = nlmsg_next(h, &len))
			if (h->nlmsg_type == NLMSG_ERROR)
				batch_ack(b, h, &got);
		free(buf);
	}
	b->n = 0;
	return 0;
}

/* Send @msg (consumed) for op @op; flushes when the window is full. */
static int batch_send(struct rc_batch *b, struct nl_msg *msg, size_t op)
{
	int ret;

	ret = nl_send_auto(b->rc->sk, msg);
	if (ret >= 0) {
		if (!b->n)
			b->first_seq = nlmsg_hdr(msg)->nlmsg_seq;
		b->op[b->n++] = op;
		b->rc->st.last_ops++;
	}
	nlmsg_free(msg);
	if (ret < 0)
		return rc_nle_errno(ret);
	return b->n >= RC_WINDOW ? batch_flush(b) : 0;
}

static int ifindex_of(const struct rc_set *s, const char *name)
{
	const struct rc_link *l = rc_set_find_link(s, name);

	return l ? l->ifindex : 0;
}

static int op_msgs(struct reconciler *rc, struct rc_set *desired,
		   const struct rc_op *op, struct nl_msg **m1,
		   struct nl_msg **m2)
{
	const struct rc_link *l;
	const struct rc_addr *a;
	int idx;

	switch (op->type) {
	case RC_OP_LINK_DEL:
		return rc_msg_link_del(&rc->actual.links[op->idx], m1);
	case RC_OP_LINK_ADD:
		l = &desired->links[op->idx];
		idx = ifindex_of(&rc->actual, l->parent);
		return rc_msg_link_add(l, idx, m1) ?: rc_msg_link_fix(l, m2);
	case RC_OP_LINK_FIX:
		return rc_msg_link_fix(&desired->links[op->idx], m1);
	case RC_OP_ADDR_DEL:
		a = &rc->owned.addrs[op->idx];
		return rc_msg_addr(a, ifindex_of(&rc->actual, a->dev), false,
				   m1);
	case RC_OP_ADDR_ADD:
		a = &desired->addrs[op->idx];
		idx = ifindex_of(&rc->actual, a->dev);
		return idx ? rc_msg_addr(a, idx, true, m1) : -ENODEV;
	}
	return -EINVAL;
}

/*
 * Phases: 0 deletes links, 1 creates and fixes links, 2 deletes addresses,
 * 3 adds addresses. Address deletions wait until the links are settled, so
 * that learning the kernel lacks 802.1Q (phase 1) never removes addresses
 * that the fallback would put straight back.
 */
#define RC_PHASES 4

static bool in_phase(enum rc_op_type t, int phase)
{
	switch (t) {
	case RC_OP_LINK_DEL:
		return phase == 0;
	case RC_OP_LINK_ADD:
	case RC_OP_LINK_FIX:
		return phase == 1;
	case RC_OP_ADDR_DEL:
		return phase == 2;
	case RC_OP_ADDR_ADD:
		return phase == 3;
	}
	return false;
}

static int apply_phase(struct reconciler *rc, struct rc_set *desired, int phase)
{
	struct rc_batch b = { .rc = rc };
	struct nl_msg *m1, *m2;
	size_t i;
	int ret = 0;

	for (i = 0; i < rc->plan.n_ops && !ret; i++) {
		if (!in_phase(rc->plan.ops[i].type, phase))
			continue;
		m1 = m2 = NULL;
		rc->errs[i] = op_msgs(rc, desired, &rc->plan.ops[i], &m1, &m2);
		if (rc->errs[i])
			continue;
		ret = batch_send(&b, m1, i);
		if (!ret && m2)
			ret = batch_send(&b, m2, i);
		else if (m2)
			nlmsg_free(m2);
	}
	if (!ret)
		ret = batch_flush(&b);
	return ret;
}

static void log_failure(struct reconciler *rc, const struct rc_op *op, int err,
			const char *what)
{
	rc->st.last_failed++;
	snprintf(rc->st.last_error, sizeof(rc->st.last_error), "%s: %s", what,
		 strerror(-err));
	VLOG_WARN_RL(&fail_rl, "%s: %s", what, strerror(-err));
}

static void vlan_unsupported(struct reconciler *rc, struct rc_link *l)
{
	l->status = RC_ST_UNSUPPORTED;
	if (rc->vlan_missing)
		return;
	rc->vlan_missing = true;
	VLOG_ERR(
		"cannot create VLAN link %s: this kernel has no 802.1Q support (CONFIG_VLAN_8021Q, module 8021q); putting partition addresses on uplink %s itself until it has (modprobe 8021q, then 'fabricctl reconcile' or SIGHUP)",
		l->name, l->parent);
}

static void link_result(struct reconciler *rc, const struct rc_op *op,
			struct rc_link *l, int err)
{
	char what[64];

	if (!err) {
		l->status = RC_ST_OK;
	} else if (op->type == RC_OP_LINK_ADD && l->kind == RC_LINK_VLAN &&
		   err == -EOPNOTSUPP) {
		vlan_unsupported(rc, l);
	} else {
		l->status = RC_ST_FAILED;
		snprintf(what, sizeof(what), "%s link %s",
			 op->type == RC_OP_LINK_ADD ? "creating" : "fixing",
			 l->name);
		log_failure(rc, op, err, what);
	}
}

static void addr_result(struct reconciler *rc, const struct rc_op *op,
			struct rc_addr *a, int err)
{
	char what[96], buf[64];

	if (!err) {
		a->status = RC_ST_OK;
	} else if (err == -EEXIST) {
		a->status = RC_ST_FOREIGN;
	} else {
		a->status = err == -ENODEV ? RC_ST_NO_PARENT : RC_ST_FAILED;
		snprintf(what, sizeof(what), "adding %s to %s",
			 rc_addr_format(a, buf, sizeof(buf)), a->dev);
		log_failure(rc, op, err, what);
	}
}

/* Record the outcome of @phase's ops in the desired objects. */
static void phase_results(struct reconciler *rc, struct rc_set *desired,
			  int phase)
{
	char what[96], buf[64];
	size_t i;

	for (i = 0; i < rc->plan.n_ops; i++) {
		const struct rc_op *op = &rc->plan.ops[i];
		int err = rc->errs[i];

		if (!in_phase(op->type, phase))
			continue;
		if (op->type == RC_OP_LINK_ADD || op->type == RC_OP_LINK_FIX) {
			link_result(rc, op, &desired->links[op->idx], err);
		} else if (op->type == RC_OP_ADDR_ADD) {
			addr_result(rc, op, &desired->addrs[op->idx], err);
		} else if (err && err != -ENODEV && err != -EADDRNOTAVAIL) {
			snprintf(what, sizeof(what), "deleting %s",
				 op->type == RC_OP_LINK_DEL ?
					 rc->actual.links[op->idx].name :
					 rc_addr_format(
						 &rc->owned.addrs[op->idx], buf,
						 sizeof(buf)));
			log_failure(rc, op, err, what);
		}
	}
}

/*
 * Write @owned to the state file; a failure is kept in the stats (shown by
 * status, and it stops the "converged" claim) and logged, rate-limited.
 * Nothing is written while the file that is there could not be read.
 */
static int state_save(struct reconciler *rc, const struct rc_set *owned)
{
	int ret;

	if (rc->state_bad)
		return rc->state_bad;
	ret = rc_state_save(rc->state_file, owned, &rc->state_text);
	if (!ret) {
		rc->st.state_error[0] = '\0';
		return 0;
	}
	snprintf(
		rc->st.state_error, sizeof(rc->st.state_error),
		"cannot write state file %s: %s; fabricd cannot record which links and addresses it made (check the state directory: space, permissions, read-only mount)",
		rc->state_file, strerror(-ret));
	VLOG_ERR_RL(&state_rl, "%s", rc->st.state_error);
	return ret;
}

/* Add @a to @s unless @s has it already. Returns 0 or -ENOMEM. */
static int add_addr_once(struct rc_set *s, const struct rc_addr *a)
{
	return rc_set_find_addr(s, a) ? 0 : rc_set_add_addr(s, a);
}

/*
 * What fabricd owns after a run: desired objects now present and its own,
 * plus owned addresses it failed to delete (it will try again). With
 * @intent (before acting), also every desired object about to be made and
 * every owned address, whatever becomes of it: a kill -9 at any point then
 * leaves nothing the next start does not know as its own.
 */
static int owned_next(const struct reconciler *rc, const struct rc_set *desired,
		      bool intent, struct rc_set *next)
{
	size_t i;
	int ret = 0;

	for (i = 0; i < desired->n_links && !ret; i++)
		if (desired->links[i].status == RC_ST_OK ||
		    (intent && desired->links[i].status == RC_ST_PENDING))
			ret = rc_set_add_link(next, &desired->links[i]);
	for (i = 0; i < desired->n_addrs && !ret; i++)
		if (desired->addrs[i].status == RC_ST_OK ||
		    (intent && desired->addrs[i].status == RC_ST_PENDING))
			ret = rc_set_add_addr(next, &desired->addrs[i]);
	for (i = 0; i < rc->plan.n_ops && !ret; i++)
		if (rc->plan.ops[i].type == RC_OP_ADDR_DEL && rc->errs[i] &&
		    rc->errs[i] != -EADDRNOTAVAIL && rc->errs[i] != -ENODEV)
			ret = add_addr_once(
				next, &rc->owned.addrs[rc->plan.ops[i].idx]);
	for (i = 0; intent && i < rc->owned.n_addrs && !ret; i++)
		ret = add_addr_once(next, &rc->owned.addrs[i]);
	return ret;
}

/* Record ownership: the intent before acting, the outcome after. */
static int update_owned(struct reconciler *rc, const struct rc_set *desired,
			bool intent)
{
	struct rc_set next = { 0 };
	int ret = owned_next(rc, desired, intent, &next);

	if (ret) {
		rc_set_clear(&next);
		return ret;
	}
	ret = state_save(rc, &next);
	if (intent) {
		rc_set_clear(&next);
	} else {
		rc_set_clear(&rc->owned);
		rc->owned = next;
	}
	return ret;
}

/*
 * Dump the links, and the addresses too when @addrs. Dumps race with
 * changes (NLE_DUMP_INTR, mapped to -EINTR): retry.
 */
static int read_kernel(struct reconciler *rc, bool addrs)
{
	int ret, tries = 0;

	do {
		ret = rc_kernel_read_links(rc->sk, &rc->actual, &rc->owned);
		if (!ret && addrs)
			ret = rc_kernel_read_addrs(rc->sk, &rc->actual);
	} while (ret == -EINTR && ++tries < 10);
	return ret;
}

/*
 * Deleting a primary IPv4 address deletes the secondaries of its subnet too,
 * unless promote_secondaries is on: turn it on where fabricd is about to
 * delete an address that shares a subnet with others (maybe not ours).
 */
static void keep_secondaries(struct reconciler *rc)
{
	const struct rc_addr *a;
	char buf[64];
	size_t i;

	for (i = 0; i < rc->plan.n_ops; i++) {
		if (rc->plan.ops[i].type != RC_OP_ADDR_DEL)
			continue;
		a = &rc->owned.addrs[rc->plan.ops[i].idx];
		if (a->family == AF_INET &&
		    rc_set_subnet_shared(&rc->actual, a) &&
		    rc_kernel_promote_secondaries(a->dev) == 1)
			VLOG_INFO(
				"enabled promote_secondaries on %s, so that removing %s keeps the other addresses of its subnet",
				a->dev, rc_addr_format(a, buf, sizeof(buf)));
	}
}

static bool plan_has(const struct rc_plan *plan, int phase)
{
	size_t i;

	for (i = 0; i < plan->n_ops; i++)
		if (in_phase(plan->ops[i].type, phase))
			return true;
	return false;
}

static int run_phases(struct reconciler *rc, struct rc_set *desired)
{
	bool vlan_was_missing = rc->vlan_missing;
	int ret, phase;

	/* Intent first, in one atomic write, when anything is to be made
	 * (see owned_next()); deletions keep their objects owned anyway. */
	if (plan_has(&rc->plan, 1) || plan_has(&rc->plan, 3))
		update_owned(rc, desired, true);
	for (phase = 0; phase < RC_PHASES; phase++) {
		if (!plan_has(&rc->plan, phase))
			continue;
		if (phase == 2)
			keep_secondaries(rc);
		if (phase == 3 && plan_has(&rc->plan, 1)) {
			/* New links' ifindexes; addresses are not needed. */
			ret = read_kernel(rc, false);
			if (ret)
				return ret;
		}
		ret = apply_phase(rc, desired, phase);
		if (ret)
			return ret;
		phase_results(rc, desired, phase);
		if (rc->vlan_missing && !vlan_was_missing)
			return -EAGAIN;
	}
	return 0;
}

/*
 * An adopting run went through: its plan took what matches; forget that the
 * state file could not be read (it is kept aside as <file>.bad).
 */
static void adopt_done(struct reconciler *rc)
{
	char bad[4096];

	rc->adopt = false;
	rc->st.adopted_links = rc->plan.adopted_links;
	rc->st.adopted_addrs = rc->plan.adopted_addrs;
	VLOG_INFO("adopted %zu links and %zu addresses that match the policy",
		  rc->plan.adopted_links, rc->plan.adopted_addrs);
	if (!rc->state_bad)
		return;
	snprintf(bad, sizeof(bad), "%s.bad", rc->state_file);
	if (rename(rc->state_file, bad) && errno != ENOENT)
		VLOG_WARN("cannot keep the unreadable state file as %s: %s",
			  bad, strerror(errno));
	else
		VLOG_INFO("the unreadable state file was kept as %s", bad);
	rc->state_bad = 0;
	rc->st.state_error[0] = '\0';
}

void reconcile_adopt(struct reconciler *rc)
{
	rc->adopt = true;
}

int reconcile_run(struct reconciler *rc, struct rc_set *desired)
{
	uint64_t t0 = now_us();
	int ret;

	rc->st.runs++;
	rc->st.last_ops = rc->st.last_failed = 0;
	rc->st.last_error[0] = '\0';
	ret = read_kernel(rc, true);
	rc->plan.adopt = rc->adopt;
	if (!ret)
		ret = rc_plan_build(desired, &rc->actual, &rc->owned,
				    &rc->plan);
	if (!ret) {
		free(rc->errs);
		rc->errs = calloc(rc->plan.n_ops + 1, sizeof(*rc->errs));
		ret = rc->errs ? run_phases(rc, desired) : -ENOMEM;
	}
	if (!ret && rc->adopt)
		adopt_done(rc);
	if (!ret) {
		/* After -EAGAIN the caller runs again; ownership stays. */
		update_owned(rc, desired, false);
	} else if (ret != -EAGAIN) {
		rc->adopt = false;
		snprintf(rc->st.last_error, sizeof(rc->st.last_error),
			 "reading the kernel's links and addresses: %s",
			 strerror(-ret));
	}
	rc->st.ops += rc->st.last_ops;
	rc->st.failed += rc->st.last_failed;
	rc->st.last_us = now_us() - t0;
	VLOG_DBG("reconcile: %zu ops planned, %u requests, %u failed, %llu us",
		 rc->plan.n_ops, rc->st.last_ops, rc->st.last_failed,
		 (unsigned long long)rc->st.last_us);
	return ret;
}

static int on_event(struct nl_msg *msg, void *arg)
{
	struct reconciler *rc = arg;

	rc->events = true;
	return NL_OK;
}

bool reconcile_handle_events(struct reconciler *rc)
{
	int ret;

	rc->events = false;
	do {
		ret = nl_recvmsgs_default(rc->ev);
	} while (ret >= 0);
	/* Lost events (ENOBUFS) mean we do not know: reconcile. */
	if (ret != -NLE_AGAIN)
		rc->events = true;
	return rc->events;
}

int reconcile_event_fd(const struct reconciler *rc)
{
	return nl_socket_get_fd(rc->ev);
}

static int open_sockets(struct reconciler *rc)
{
	int one = 1, ret;

	rc->sk = nl_socket_alloc();
	rc->ev = nl_socket_alloc();
	if (!rc->sk || !rc->ev)
		return -ENOMEM;
	ret = nl_connect(rc->sk, NETLINK_ROUTE);
	if (!ret)
		ret = nl_socket_set_buffer_size(rc->sk, RC_SOCK_BUF,
						RC_SOCK_BUF);
	if (ret)
		return rc_nle_errno(ret);
	/* Acks are matched by batch_flush(); libnl's own check would see
	 * the pipelined seqs as out of order. */
	nl_socket_disable_seq_check(rc->sk);
	setsockopt(nl_socket_get_fd(rc->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one,
		   sizeof(one));
	setsockopt(nl_socket_get_fd(rc->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		   sizeof(one));
	nl_socket_disable_seq_check(rc->ev);
	nl_socket_modify_cb(rc->ev, NL_CB_VALID, NL_CB_CUSTOM, on_event, rc);
	ret = nl_connect(rc->ev, NETLINK_ROUTE);
	if (!ret)
		ret = nl_socket_add_memberships(rc->ev, RTNLGRP_LINK,
						RTNLGRP_IPV4_IFADDR,
						RTNLGRP_IPV6_IFADDR, 0);
	if (!ret)
		ret = nl_socket_set_nonblocking(rc->ev);
	if (!ret)
		ret = nl_socket_set_buffer_size(rc->ev, RC_SOCK_BUF, 0);
	return rc_nle_errno(ret);
}

/*
 * A state file fabricd cannot read is a loud error: it no longer knows
 * which addresses are its own, so it writes nothing over the file and says
 * so (log, status) until the administrator adopts (fabricctl reconcile
 * --adopt).
 */
static void load_state(struct reconciler *rc)
{
	char why[160];
	int ret = rc_state_load(rc->state_file, &rc->owned, why, sizeof(why));

	if (!ret)
		return;
	rc->state_bad = ret;
	snprintf(
		rc->st.state_error, sizeof(rc->st.state_error),
		"state file %s %s (%s): fabricd does not know which addresses are its own and leaves the file as it is; run 'fabricctl reconcile --adopt' to take ownership of what matches the policy",
		rc->state_file,
		ret == -EPROTO	? "is not fabricd's schema" :
		ret == -EBADMSG ? "is damaged" :
				  "cannot be read",
		why);
	VLOG_ERR("%s", rc->st.state_error);
}

struct reconciler *reconcile_create(const char *state_file)
{
	struct reconciler *rc = calloc(1, sizeof(*rc));
	int ret;

	if (!rc)
		return NULL;
	rc->state_file = strdup(state_file);
	ret = rc->state_file ? open_sockets(rc) : -ENOMEM;
	if (ret)
		goto err;
	load_state(rc);
	if (ret)
		goto err;
	return rc;
err:
	reconcile_destroy(rc);
	errno = -ret;
	return NULL;
}

void reconcile_destroy(struct reconciler *rc)
{
	if (!rc)
		return;
	nl_socket_free(rc->sk);
	nl_socket_free(rc->ev);
	rc_set_clear(&rc->actual);
	rc_set_clear(&rc->owned);
	rc_plan_clear(&rc->plan);
	free(rc->errs);
	free(rc->state_file);
	free(rc->state_text);
	free(rc);
}

bool reconcile_vlan_missing(const struct reconciler *rc)
{
	return rc->vlan_missing;
}

void reconcile_vlan_retry(struct reconciler *rc)
{
	rc->vlan_missing = false;
}

const struct reconcile_stats *reconcile_stats(const struct reconciler *rc)
{
	return &rc->st;
}

int reconcile_link_ifindex(const struct reconciler *rc, const char *name)
{
	return ifindex_of(&rc->actual, name);
}
