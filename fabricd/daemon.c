// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The fabricd daemon's life cycle and main loop (see daemon.h). One poll()
 * loop: signals (signalfd), the control socket, kernel link/address events,
 * and two deadlines: the next PKey table read and a pending reconcile
 * (kernel events are coalesced for RECONCILE_DELAY_MS).
 */
#include "fabricd/daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eth/port_dummy.h"
#include "fabricd/daemon_priv.h"
#include "fabricd/engine/engine.h"
#include "fabricd/metrics.h"
#include "fabricd/sdnotify.h"
#include "lib/ctl_server.h"
#include "lib/log.h"
#include "lib/paths.h"
#include "lib/policy.h"
#include "lib/prom.h"
#include "lib/port.h"
#include "lib/util.h"

LOG_MODULE(daemon);

#define RECONCILE_DELAY_MS 50
/* Re-check everything now and then, even without events. */
#define RECONCILE_PERIOD_MS 30000

/* The pid lock: flock() on the pid file, held for the daemon's life. */
static int lock_pid_file(const char *path)
{
	char buf[32] = "";
	char *slash, dir[256];
	int fd;

	util_strlcpy(dir, path, sizeof(dir));
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		util_mkdir_p(dir, 0755);
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		VLOG_ERR("cannot open pid file %s: %s", path, strerror(errno));
		return -errno;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		if (read(fd, buf, sizeof(buf) - 1) < 0)
			buf[0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		VLOG_ERR("another fabricd (pid %s) holds %s; stop it first, or "
			 "give this one its own --pid-file, --ctl-socket and "
			 "--state-dir",
			 buf[0] ? buf : "?", path);
		close(fd);
		return -EBUSY;
	}
	return fd;
}

static int write_pid(int fd)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());

	if (ftruncate(fd, 0) || pwrite(fd, buf, len, 0) != len)
		return -errno;
	return 0;
}

static void syslog_sink(void *ctx, const char *module, enum log_level level,
			const char *msg)
{
	daemon_syslog((int)level, module, msg);
}

/*
 * Detach: the parent waits on a pipe until the child says it is up (one
 * byte: 0) or failed (its exit status), so `fabricd` without --foreground
 * still reports start-up errors through its exit status.
 */
static int detach(int *ready_fd)
{
	int pfd[2], null;
	char st = 1;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		close(pfd[1]);
		if (read(pfd[0], &st, 1) != 1)
			st = 1;
		_exit(st);
	}
	close(pfd[0]);
	setsid();
	if (fork() > 0)
		_exit(0);
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		if (null > 2)
			close(null);
	}
	if (chdir("/"))
		VLOG_WARN("chdir /: %s", strerror(errno));
	daemon_syslog_open();
	log_set_sink(syslog_sink, NULL);
	*ready_fd = pfd[1];
	return 0;
}

static void tell_parent(int *ready_fd, char status)
{
	if (*ready_fd < 0)
		return;
	if (write(*ready_fd, &status, 1) != 1)
		VLOG_DBG("parent gone");
	close(*ready_fd);
	*ready_fd = -1;
}

/* The policy. */

static const struct policy_gateway *pick_gateway(const struct daemon *d,
						 const struct policy *pol)
{
	char host[256] = "";

	if (d->o->gateway)
		return policy_find_gateway(pol, d->o->gateway);
	gethostname(host, sizeof(host) - 1);
	return policy_find_gateway(pol, host);
}

/* Load the policy; on errors log each located message and return NULL. */
static struct policy *load_policy(struct daemon *d, char **errors)
{
	unsigned int n_errors = 0;
	struct policy *pol;
	size_t len = 0;
	char *text = NULL, *line, *save = NULL;
	FILE *err = open_memstream(&text, &len);

	pol = policy_load(d->o->policy_file, err, &n_errors);
	if (err)
		fclose(err);
	if (!pol && text)
		for (line = strtok_r(text, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save))
			VLOG_ERR("%s", line);
	if (!pol && errno != EINVAL && (!text || !text[0]))
		VLOG_ERR("cannot read policy %s: %s", d->o->policy_file,
			 strerror(errno));
	if (!pol && errors) {
		free(*errors);
		*errors = text && n_errors ? strdup(text) : NULL;
		if (!*errors && asprintf(errors, "%s: %s", d->o->policy_file,
					 strerror(errno)) < 0)
			*errors = NULL;
	}
	free(text);
	return pol;
}

static int adopt_policy(struct daemon *d, struct policy *pol)
{
	const struct policy_gateway *gw = pick_gateway(d, pol);
	struct rc_partition *views;
	size_t i;

	if (d->o->gateway && !gw) {
		VLOG_ERR("policy %s has no gateway '%s'; add it under "
			 "gateways: or fix --gateway",
			 d->o->policy_file, d->o->gateway);
		return -ENOENT;
	}
	views = calloc(pol->n_partitions + 1, sizeof(*views));
	if (!views)
		return -ENOMEM;
	/* Until a reconcile fills them (none while the PKeys are unknown),
	 * every partition is shown as not held. */
	for (i = 0; i < pol->n_partitions; i++)
		views[i].part = &pol->partitions[i];
	if (!gw)
		VLOG_INFO(
			"not a gateway (no --gateway and no gateway named "
			"like this host): not mirroring partitions on Ethernet");
	policy_free(d->pol);
	free(d->views);
	d->pol = pol;
	d->gw = gw;
	d->views = views;
	return 0;
}

/*
 * The textfile: --metrics-dir and --metrics-interval, else the policy's
 * metrics: key; a change starts writing to the new place at once.
 */
static void daemon_metrics_apply(struct daemon *d)
{
	const struct policy_metrics *pm = &d->pol->metrics;
	const char *dir = d->o->metrics_dir ?: pm->textfile_dir;
	unsigned int interval = d->o->metrics_interval ?: pm->interval;

	if (d->metrics && dir && metrics_is(d->metrics, dir, interval))
		return;
	metrics_destroy(d->metrics);
	d->metrics = dir ? metrics_create(dir, interval) : NULL;
	if (dir && !d->metrics)
		VLOG_ERR("metrics: %s", strerror(errno));
	else if (dir)
		VLOG_INFO("metrics to %s/" PROM_TEXTFILE " every %u s", dir,
			  interval);
}

int daemon_reload(struct daemon *d)
{
	struct policy *pol = load_policy(d, &d->reload_error);
	int ret;

	d->reloads++;
	ret = pol ? adopt_policy(d, pol) : -EINVAL;
	if (ret) {
		if (pol)
			policy_free(pol);
		d->reloads_refused++;
		VLOG_ERR(
			"policy %s refused; the last good policy stays in force",
			d->o->policy_file);
		return -EINVAL;
	}
	free(d->reload_error);
	d->reload_error = NULL;
	VLOG_INFO("policy %s loaded: %zu partitions%s%s", d->o->policy_file,
		  pol->n_partitions, d->gw ? ", gateway " : "",
		  d->gw ? d->gw->name : "");
	d->engine_dirty = true;
	daemon_metrics_apply(d);
	daemon_flow_apply(d);
	return daemon_reconcile(d);
}

/* The forwarding engine (fabricd/engine/engine.h). */

static void engine_open(struct daemon *d)
{
	int ret;

	if (d->o->no_engine)
		return;
	d->engine = engine_create(d->pol, d->gw);
	if (!d->engine) {
		snprintf(d->engine_error, sizeof(d->engine_error),
			 "could not start: %s", strerror(errno));
		VLOG_ERR("forwarding engine %s; the control plane runs "
			 "without it",
			 d->engine_error);
		return;
	}
	engine_register_commands(d->engine, d->ctl);
	if (d->o->dummy && port_dummy_register_commands(
				   d->ctl, port_kind_priv(&port_dummy_ops)))
		VLOG_ERR("cannot register port/inject and port/capture");
	if (d->o->threads)
		engine_set_threads(d->engine, (unsigned int)d->o->threads);
	ret = engine_start(d->engine);
	if (ret) {
		snprintf(d->engine_error, sizeof(d->engine_error),
			 "forwarding thread: %s", strerror(-ret));
		VLOG_ERR("forwarding engine %s", d->engine_error);
	}
	d->engine_dirty = true;
}

/*
 * The verbs port of a gateway's ipoib ports: the one whose PKeys are read,
 * or a RoCE port (no PKeys); none for a host that is not a gateway.
 */
static void engine_set_verbs(struct daemon *d)
{
	const char *dev = NULL;
	int port = 0;

	if (d->gw && d->pk) {
		dev = pkeys_dev_name(d->pk);
		port = pkeys_port_num(d->pk);
	} else if (d->gw && d->roce) {
		dev = daemon_ib_wanted(d, &port);
	}
	if (engine_set_ib(d->engine, dev, (unsigned int)port))
		VLOG_ERR("IB device name %s is too long for ipoib ports", dev);
}

/*
 * Tell the engine which partitions to carry: those the port holds (none
 * until the PKeys were read), or, without an IB port, all of the policy's.
 */
static void engine_sync(struct daemon *d)
{
	int ret;

	if (!d->engine || !d->engine_dirty)
		return;
	d->engine_dirty = false;
	engine_set_verbs(d);
	ret = engine_apply_policy(d->engine, d->pol,
				  d->ib == DAEMON_IB_NONE ? NULL : d->pkeys,
				  d->ib == DAEMON_IB_OK ? d->n_pkeys : 0);
	if (ret) {
		snprintf(d->engine_error, sizeof(d->engine_error),
			 "applying the policy: %s", strerror(-ret));
		VLOG_ERR("forwarding engine: %s; it keeps its previous "
			 "partitions",
			 d->engine_error);
	} else {
		d->engine_error[0] = '\0';
	}
}

/* Reconciling. */

/* Log drift when it changes (a signature over every partition's drift). */
static void log_drift(struct daemon *d)
{
	uint64_t sig = 1469598103934665603ull;
	size_t i;

	for (i = 0; i < d->pol->n_partitions; i++)
		sig = (sig ^ (d->views[i].drift + 7 * i)) * 1099511628211ull;
	if (sig == d->drift_sig)
		return;
	d->drift_sig = sig;
	for (i = 0; i < d->pol->n_partitions; i++) {
		const struct rc_partition *v = &d->views[i];

		if (v->drift)
			VLOG_WARN("drift: partition %s (PKey 0x%04x): %s "
				  "(fabric: %s, policy: %s)",
				  v->part->name, v->part->pkey,
				  rc_drift_name(v->drift),
				  rc_memb_name(v->fabric_memb),
				  rc_memb_name(v->policy_memb));
	}
}

static bool all_present(const struct rc_set *s)
{
	size_t i;

	for (i = 0; i < s->n_links; i++)
		if (s->links[i].status != RC_ST_OK)
			return false;
	for (i = 0; i < s->n_addrs; i++)
		if (s->addrs[i].status != RC_ST_OK &&
		    s->addrs[i].status != RC_ST_FOREIGN)
			return false;
	return true;
}

static int build_desired(struct daemon *d)
{
	struct rc_input in = {
		.pol = d->pol,
		.gw = d->gw,
		.port_guid = d->pk ? pkeys_port_guid(d->pk) :
			     d->gw ? d->gw->port_guid :
				     0,
		.fabric = d->ib == DAEMON_IB_OK,
		.pkeys = d->pkeys,
		.n_pkeys = d->n_pkeys,
		.vlan_ok = !reconcile_vlan_missing(d->rc),
		.ipoib_parent = d->ipoib_parent[0] ? d->ipoib_parent : NULL,
	};

	return rc_desired_build(&in, &d->desired, d->views);
}

int daemon_reconcile(struct daemon *d)
{
	int ret, tries;

	d->reconcile_at_ms = 0;
	d->last_reconcile_ms = util_now_ms();
	engine_sync(d);
	if (d->ib == DAEMON_IB_WAITING)
		return 0; /* never mirror before knowing the fabric */
	for (tries = 0; tries < 2; tries++) {
		ret = build_desired(d);
		if (!ret)
			ret = reconcile_run(d->rc, &d->desired);
		if (ret != -EAGAIN)
			break;
	}
	d->rc_ret = ret;
	/* Unrecorded ownership is not converged: a restart would lose it. */
	d->converged = !ret && all_present(&d->desired) &&
		       !reconcile_stats(d->rc)->state_error[0];
	log_drift(d);
	return ret;
}

/* The main loop. */

static int open_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

/* READY=1 with a one-line status for `systemctl status`. */
static void notify_ready(const struct daemon *d)
{
	char status[128];

	snprintf(status, sizeof(status), "%zu partitions; %s%s",
		 d->pol->n_partitions,
		 d->converged ? "converged" : "reconciling",
		 d->reload_error ? "; last reload refused" : "");
	sdnotify_state(SDNOTIFY_READY, status);
}

static void handle_signal(struct daemon *d)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			VLOG_INFO("SIGHUP: reloading %s", d->o->policy_file);
			sdnotify_state(SDNOTIFY_RELOADING, NULL);
			reconcile_vlan_retry(d->rc);
			daemon_reload(d);
			notify_ready(d);
		} else {
			VLOG_INFO("signal %d: shutting down",
				  (int)si.ssi_signo);
			sdnotify_state(SDNOTIFY_STOPPING, NULL);
			d->stop = true;
		}
	}
}

static int poll_timeout(const struct daemon *d)
{
	uint64_t now = util_now_ms(), next = d->next_poll_ms;
	int ctl = ctl_server_timeout_ms(d->ctl), ms;

	if (d->reconcile_at_ms && d->reconcile_at_ms < next)
		next = d->reconcile_at_ms;
	if (d->metrics && metrics_due_ms(d->metrics) < next)
		next = metrics_due_ms(d->metrics);
	if (daemon_flow_due_ms(d) < next)
		next = daemon_flow_due_ms(d);
	if (d->watchdog_ms && d->next_ping_ms < next)
		next = d->next_ping_ms;
	if (d->mirror_pcap && now + ENGINE_MIRROR_FLUSH_MS < next)
		next = now + ENGINE_MIRROR_FLUSH_MS;
	ms = next <= now ? 0 : (int)MIN(next - now, 60000);
	return ctl >= 0 && ctl < ms ? ctl : ms;
}

/* The textfile for node_exporter, when due: from the "stats" reply. */
static void write_metrics(struct daemon *d, uint64_t now)
{
	json_t *stats;

	if (!d->metrics || now < metrics_due_ms(d->metrics))
		return;
	stats = d->engine ? engine_stats_json(d->engine) : NULL;
	metrics_write(d->metrics, stats);
	json_decref(stats);
}

static void run_timers(struct daemon *d)
{
	uint64_t now = util_now_ms();
	bool due = false;

	if (now >= d->next_poll_ms) {
		daemon_ib_poll(d);
		d->next_poll_ms = now + d->o->poll_ms;
	}
	if (now >= d->last_reconcile_ms + RECONCILE_PERIOD_MS)
		due = true;
	if (due || (d->reconcile_at_ms && now >= d->reconcile_at_ms))
		daemon_reconcile(d);
	write_metrics(d, now);
	/* pcap mirrors: buffered by the forwarding thread, written here */
	d->mirror_pcap = d->engine && engine_mirror_flush(d->engine);
	daemon_flow_run(d, now);
	if (d->watchdog_ms && now >= d->next_ping_ms) {
		sdnotify_ping();
		d->next_ping_ms = now + d->watchdog_ms;
	}
}

static void main_loop(struct daemon *d)
{
	struct pollfd pfd[CTL_SERVER_MAX_POLLFDS + 3];
	int n;

	while (!d->stop) {
		pfd[0] = (struct pollfd){ .fd = d->sigfd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = reconcile_event_fd(d->rc),
					  .events = POLLIN };
		pfd[2] = (struct pollfd){ .fd = daemon_ib_fd(d),
					  .events = POLLIN };
		n = ctl_server_pollfds(d->ctl, pfd + 3);
		if (poll(pfd, n + 3, poll_timeout(d)) < 0 && errno != EINTR) {
			VLOG_ERR("poll: %s", strerror(errno));
			break;
		}
		if (pfd[0].revents)
			handle_signal(d);
		if (d->stop)
			break;
		if (pfd[1].revents && reconcile_handle_events(d->rc) &&
		    !d->reconcile_at_ms)
			d->reconcile_at_ms = util_now_ms() + RECONCILE_DELAY_MS;
		if (pfd[2].revents && daemon_ib_handle(d))
			daemon_reconcile(d);
		ctl_server_process(d->ctl, pfd + 3, n);
		run_timers(d);
	}
}

static gid_t ctl_gid(const char *group)
{
	struct group *gr;

	if (!group)
		return (gid_t)-1;
	gr = getgrnam(group);
	if (!gr) {
		VLOG_ERR("no group '%s' for the control socket", group);
		return (gid_t)-2;
	}
	return gr->gr_gid;
}

static int open_services(struct daemon *d)
{
	char state[4096];
	gid_t gid = ctl_gid(d->o->ctl_group);

	if (gid == (gid_t)-2)
		return -ENOENT;
	if (util_mkdir_p(d->o->state_dir, 0755)) {
		VLOG_ERR("cannot create state directory %s: %s",
			 d->o->state_dir, strerror(errno));
		return -EIO;
	}
	snprintf(state, sizeof(state), "%s/reconcile.json", d->o->state_dir);
	d->rc = reconcile_create(state);
	if (!d->rc) {
		VLOG_ERR("cannot open netlink: %s", strerror(errno));
		return -errno;
	}
	d->ctl = ctl_server_create(d->o->ctl_socket, gid, PATHS_VERSION);
	if (!d->ctl) {
		VLOG_ERR("cannot listen on %s: %s", d->o->ctl_socket,
			 strerror(errno));
		return -errno;
	}
	daemon_metrics_apply(d);
	return daemon_ctl_register(d);
}

static int start(struct daemon *d)
{
	struct policy *pol = load_policy(d, NULL);
	int ret;

	if (!pol)
		return -EINVAL;
	ret = adopt_policy(d, pol);
	if (ret) {
		policy_free(pol);
		return ret;
	}
	ret = open_services(d);
	if (ret)
		return ret;
	engine_open(d);
	daemon_flow_apply(d);
	daemon_ib_start(d); /* its result comes through the main loop */
	d->next_poll_ms = util_now_ms() + d->o->poll_ms;
	daemon_reconcile(d);
	return 0;
}

static void stop(struct daemon *d)
{
	daemon_flow_stop(d);
	engine_destroy(d->engine);
	metrics_destroy(d->metrics);
	ctl_server_destroy(d->ctl);
	reconcile_destroy(d->rc);
	daemon_ib_stop(d);
	rc_set_clear(&d->desired);
	free(d->views);
	free(d->reload_error);
	policy_free(d->pol);
	if (d->sigfd >= 0)
		close(d->sigfd);
	if (d->lock_fd >= 0) {
		unlink(d->o->pid_file);
		close(d->lock_fd);
	}
}

int daemon_run(const struct daemon_opts *o)
{
	struct daemon d = { .o = o, .sigfd = -1, .lock_fd = -1 };
	int ready = -1, ret;

	if (!o->foreground && detach(&ready)) {
		VLOG_ERR("cannot detach: %s", strerror(errno));
		return 1;
	}
	d.lock_fd = lock_pid_file(o->pid_file);
	if (d.lock_fd < 0) {
		tell_parent(&ready, 1);
		return 1;
	}
	/* From here on SIGTERM/SIGINT/SIGHUP wait in the signalfd for the
	 * main loop, and nothing before it blocks without bound. */
	d.sigfd = open_signals();
	ret = d.sigfd < 0 ? -errno : write_pid(d.lock_fd) ?: start(&d);
	if (ret) {
		VLOG_ERR("fabricd could not start");
		tell_parent(&ready, 1);
		stop(&d);
		return 1;
	}
	VLOG_INFO("fabricd %s running (pid %d), control socket %s",
		  PATHS_VERSION, (int)getpid(), o->ctl_socket);
	tell_parent(&ready, 0);
	notify_ready(&d);
	d.watchdog_ms = sdnotify_watchdog_ms();
	if (d.watchdog_ms)
		VLOG_INFO("systemd watchdog: pinging every %llu ms",
			  (unsigned long long)d.watchdog_ms);
	main_loop(&d);
	stop(&d);
	VLOG_INFO("fabricd stopped");
	return 0;
}
