// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The control socket server (see ctl_server.h). Each client has an input
 * buffer bounded by CTL_MAX_REQUEST and an output buffer drained on POLLOUT;
 * a client is not read while a reply is still pending, so a slow reader
 * cannot make the daemon buffer without bound. Admission and time-outs:
 * see ctl_server.h.
 */
#include "lib/ctl_server.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "lib/ctl.h"
#include "lib/log.h"
#include "lib/util.h"

LOG_MODULE(ctl);

struct ctl_command {
	char *name;
	char *usage;
	int min_args, max_args;
	ctl_handler_fn fn;
	void *aux;
	bool root_only; /* ctl_server_set_root_only() */
};

struct ctl_conn {
	int fd;
	char *in; /* CTL_MAX_REQUEST + 1 bytes */
	size_t in_len;
	char *out; /* pending reply bytes, or NULL */
	size_t out_len, out_off;
	bool closing; /* close once the output is drained */
	uid_t uid;
	pid_t pid;
	uint64_t idle_ms; /* when it last became idle (accepted, replied) */
	uint64_t busy_ms; /* when a request or reply began; 0: idle */
};

struct ctl_server {
	int listen_fd; /* -1 when created without a socket (unit tests) */
	char *path;
	gid_t gid; /* the socket's group */
	char *version;
	struct ctl_command *cmds;
	size_t n_cmds;
	struct ctl_conn conns[CTL_SERVER_MAX_CLIENTS];
};

static char *xstrdup_printf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static char *xstrdup_printf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	return s;
}

/* Built-in commands. */

static int cmd_list(int argc, const char *const argv[], void *aux,
		    json_t **result, char **error)
{
	struct ctl_server *srv = aux;
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < srv->n_cmds; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s}", "name",
						     srv->cmds[i].name, "usage",
						     srv->cmds[i].usage));
	*result = arr;
	return 0;
}

static int cmd_version(int argc, const char *const argv[], void *aux,
		       json_t **result, char **error)
{
	struct ctl_server *srv = aux;

	*result = json_string(srv->version);
	return 0;
}

static void add_module(void *ctx, const struct log_module *mod)
{
	json_object_set_new(ctx, mod->name,
			    json_string(log_level_name(mod->level)));
}

/* log/set [MODULE] LEVEL, or MODULE:LEVEL; answers the resulting levels. */
static int cmd_log_set(int argc, const char *const argv[], void *aux,
		       json_t **result, char **error)
{
	char module[64] = "all";
	const char *level = argv[argc - 1];
	const char *colon;
	int lvl, ret;

	if (argc == 2) {
		util_strlcpy(module, argv[0], sizeof(module));
	} else if ((colon = strchr(level, ':'))) {
		snprintf(module, sizeof(module), "%.*s", (int)(colon - level),
			 level);
		level = colon + 1;
	}
	lvl = log_level_parse(level);
	if (lvl < 0) {
		*error = xstrdup_printf(
			"unknown level '%s' (off, err, warn, info, dbg)",
			level);
		return lvl;
	}
	ret = log_set_level(module, lvl);
	if (ret) {
		*error = xstrdup_printf("no log module '%s'", module);
		return ret;
	}
	*result = json_object();
	log_foreach_module(add_module, *result);
	return 0;
}

static int register_builtins(struct ctl_server *srv)
{
	int ret;

	ret = ctl_server_register(srv, "list-commands", "", 0, 0, cmd_list,
				  srv);
	if (!ret)
		ret = ctl_server_register(srv, "version", "", 0, 0, cmd_version,
					  srv);
	if (!ret)
		ret = ctl_server_register(srv, "log/set",
					  "[MODULE] LEVEL | MODULE:LEVEL", 1, 2,
					  cmd_log_set, NULL);
	return ret;
}

int ctl_server_register(struct ctl_server *srv, const char *name,
			const char *usage, int min_args, int max_args,
			ctl_handler_fn fn, void *aux)
{
	struct ctl_command *cmds, *c;
	size_t i;

	for (i = 0; i < srv->n_cmds; i++)
		if (!strcmp(srv->cmds[i].name, name))
			return -EEXIST;
	cmds = realloc(srv->cmds, (srv->n_cmds + 1) * sizeof(*cmds));
	if (!cmds)
		return -ENOMEM;
	srv->cmds = cmds;
	c = &cmds[srv->n_cmds];
	c->name = strdup(name);
	c->usage = strdup(usage ? usage : "");
	if (!c->name || !c->usage) {
		free(c->name);
		free(c->usage);
		return -ENOMEM;
	}
	c->min_args = min_args;
	c->max_args = max_args;
	c->fn = fn;
	c->aux = aux;
	c->root_only = false;
	srv->n_cmds++;
	return 0;
}

int ctl_server_set_root_only(struct ctl_server *srv, const char *name)
{
	size_t i;

	for (i = 0; i < srv->n_cmds; i++)
		if (!strcmp(srv->cmds[i].name, name)) {
			srv->cmds[i].root_only = true;
			return 0;
		}
	return -ENOENT;
}

static const struct ctl_command *find_command(const struct ctl_server *srv,
					      const char *name)
{
	size_t i;

	for (i = 0; i < srv->n_cmds; i++)
		if (!strcmp(srv->cmds[i].name, name))
			return &srv->cmds[i];
	return NULL;
}

/* Request handling, independent of the socket. */

static char *reply_line(json_t *id, json_t *result, const char *error)
{
	json_t *reply;
	char *s, *line = NULL;

	reply = json_pack("{s:O?, s:O?, s:s?}", "id", id, "result", result,
			  "error", error);
	if (!reply)
		return NULL;
	s = json_dumps(reply, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(reply);
	if (s)
		line = xstrdup_printf("%s\n", s);
	free(s);
	return line;
}

/* Params must be an array of strings; returns their count or -EINVAL. */
static int parse_params(json_t *params, const char **argv, int max)
{
	size_t i;

	if (!params)
		return 0;
	if (!json_is_array(params) || json_array_size(params) > (size_t)max)
		return -EINVAL;
	for (i = 0; i < json_array_size(params); i++) {
		json_t *p = json_array_get(params, i);

		if (!json_is_string(p))
			return -EINVAL;
		argv[i] = json_string_value(p);
	}
	return (int)json_array_size(params);
}

#define CTL_MAX_PARAMS 64

static char *run_request(struct ctl_server *srv, json_t *req, uid_t uid)
{
	const char *argv[CTL_MAX_PARAMS + 1] = { NULL };
	const struct ctl_command *cmd;
	json_t *id = json_object_get(req, "id");
	json_t *method = json_object_get(req, "method");
	json_t *result = NULL;
	char *error = NULL, *line;
	int argc, ret;

	if (!json_is_string(method))
		return reply_line(id, NULL, "request has no \"method\" string");
	argc = parse_params(json_object_get(req, "params"), argv,
			    CTL_MAX_PARAMS);
	if (argc < 0)
		return reply_line(id, NULL,
				  "\"params\" must be an array of strings");
	cmd = find_command(srv, json_string_value(method));
	if (!cmd) {
		error = xstrdup_printf(
			"unknown command '%s'; try list-commands",
			json_string_value(method));
		line = reply_line(id, NULL, error ? error : "unknown command");
		free(error);
		return line;
	}
	if (cmd->root_only && uid != 0) {
		VLOG_WARN("control: refused %s to uid %u: only root may",
			  cmd->name, (unsigned int)uid);
		error = xstrdup_printf(
			"%s: %s (EPERM): only root may run it, not the "
			"control socket's group",
			cmd->name, strerror(EPERM));
		line = reply_line(id, NULL, error ? error : "EPERM");
		free(error);
		return line;
	}
	if (argc < cmd->min_args || argc > cmd->max_args) {
		error = xstrdup_printf("usage: %s %s", cmd->name, cmd->usage);
		line = reply_line(id, NULL, error ? error : "bad arguments");
		free(error);
		return line;
	}
	ret = cmd->fn(argc, argv, cmd->aux, &result, &error);
	if (ret < 0 && !error)
		error = xstrdup_printf("%s: %s", cmd->name, strerror(-ret));
	line = ret < 0 ? reply_line(id, NULL, error) :
			 reply_line(id, result, NULL);
	json_decref(result);
	free(error);
	return line;
}

char *ctl_server_handle_line(struct ctl_server *srv, const char *line,
			     size_t len)
{
	return ctl_server_handle_line_as(srv, line, len, 0);
}

char *ctl_server_handle_line_as(struct ctl_server *srv, const char *line,
				size_t len, uid_t uid)
{
	json_error_t jerr;
	json_t *req;
	char *reply, *msg;

	req = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!req || !json_is_object(req)) {
		msg = xstrdup_printf("malformed request: %s",
				     req ? "not a JSON object" : jerr.text);
		json_decref(req);
		VLOG_DBG("%s", msg ? msg : "malformed request");
		reply = reply_line(NULL, NULL, msg ? msg : "malformed request");
		free(msg);
		return reply;
	}
	reply = run_request(srv, req, uid);
	json_decref(req);
	return reply;
}

/* The socket side. */

static bool peer_allowed(const struct ctl_server *srv, int fd,
			 struct ucred *cred)
{
	gid_t groups[NGROUPS_MAX];
	socklen_t len = sizeof(*cred);
	size_t i, n;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cred, &len))
		return false;
	if (cred->uid == 0 || cred->uid == geteuid() || cred->gid == srv->gid)
		return true;
	len = sizeof(groups);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len))
		return false;
	n = len / sizeof(gid_t);
	for (i = 0; i < n; i++)
		if (groups[i] == srv->gid)
			return true;
	return false;
}

static void conn_queue(struct ctl_conn *c, char *line)
{
	if (!line) {
		c->closing = true;
		return;
	}
	free(c->out);
	c->out = line;
	c->out_len = strlen(line);
	c->out_off = 0;
}

static void conn_close(struct ctl_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->in);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

/* Send one error line to a client that gets no slot, and close it. */
static void refuse(int fd, const char *msg)
{
	char *line = reply_line(NULL, NULL, msg);

	/* Best effort: a reply line fits in any socket buffer. */
	if (line &&
	    send(fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		VLOG_DBG("control: error reply not sent: %s", strerror(errno));
	free(line);
	close(fd);
}

static bool conn_idle(const struct ctl_conn *c)
{
	return c->fd >= 0 && !c->busy_ms && !c->closing;
}

/*
 * A slot for a new client of @uid: a free one, else the longest-idle
 * client's (closed here). Non-root uids keep to their own limit (they then
 * give up their own idle clients) and leave CTL_SERVER_ROOT_RESERVED slots
 * to root. Returns NULL with @why set when there is none.
 */
static struct ctl_conn *take_slot(struct ctl_server *srv, uid_t uid,
				  const char **why)
{
	struct ctl_conn *c, *free_c = NULL, *victim = NULL;
	size_t i, mine = 0, others = 0;
	bool own_only, no_root;

	for (i = 0; i < CTL_SERVER_MAX_CLIENTS; i++) {
		c = &srv->conns[i];
		if (c->fd < 0) {
			free_c = free_c ?: c;
			continue;
		}
		mine += c->uid == uid;
		others += c->uid != 0;
	}
	/* Which idle clients a newcomer may displace: its own at its limit,
	 * no root one when non-root clients hold all they may. */
	own_only = uid && mine >= CTL_SERVER_MAX_PER_UID;
	no_root = uid &&
		  others >= CTL_SERVER_MAX_CLIENTS - CTL_SERVER_ROOT_RESERVED;
	if (free_c && !own_only && !no_root)
		return free_c;
	for (i = 0; i < CTL_SERVER_MAX_CLIENTS; i++) {
		c = &srv->conns[i];
		if (!conn_idle(c) || (own_only && c->uid != uid) ||
		    (no_root && !c->uid))
			continue;
		if (!victim || c->idle_ms < victim->idle_ms)
			victim = c;
	}
	if (!victim) {
		*why = own_only ? "too many connections from this user" :
				  "every connection is busy";
		return NULL;
	}
	VLOG_INFO("control: closing idle client pid %d uid %u to make room",
		  (int)victim->pid, (unsigned int)victim->uid);
	conn_close(victim);
	return victim;
}

static void accept_one(struct ctl_server *srv)
{
	static struct log_ratelimit busy_rl = LOG_RATELIMIT_INIT(1, 5);
	struct ucred cred = { 0 };
	const char *why = NULL;
	struct ctl_conn *c;
	char msg[160];
	int fd;

	fd = accept4(srv->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (!peer_allowed(srv, fd, &cred)) {
		VLOG_WARN(
			"control: refused peer pid %d uid %u gid %u: not root nor in the socket's group",
			(int)cred.pid, (unsigned int)cred.uid,
			(unsigned int)cred.gid);
		refuse(fd,
		       "permission denied: fabricd accepts root and the control socket's group");
		return;
	}
	c = take_slot(srv, cred.uid, &why);
	if (!c) {
		VLOG_WARN_RL(
			&busy_rl,
			"control: refused pid %d uid %u: %s (%d clients at most, %d per user)",
			(int)cred.pid, (unsigned int)cred.uid, why,
			CTL_SERVER_MAX_CLIENTS, CTL_SERVER_MAX_PER_UID);
		snprintf(msg, sizeof(msg), "fabricd is busy: %s; try again",
			 why);
		refuse(fd, msg);
		return;
	}
	c->fd = fd;
	c->in = malloc(CTL_MAX_REQUEST + 1);
	if (!c->in) {
		conn_close(c);
		return;
	}
	c->uid = cred.uid;
	c->pid = cred.pid;
	c->idle_ms = util_now_ms();
}

/* Serve every complete line in the input buffer, one reply at a time. */
static void conn_serve(struct ctl_server *srv, struct ctl_conn *c)
{
	char *nl;
	size_t used;

	while (!c->out && !c->closing &&
	       (nl = memchr(c->in, '\n', c->in_len))) {
		used = nl - c->in + 1;
		if (used > 1)
			conn_queue(c, ctl_server_handle_line_as(
					      srv, c->in, used - 1, c->uid));
		memmove(c->in, c->in + used, c->in_len - used);
		c->in_len -= used;
	}
	if (!c->out && c->in_len >= CTL_MAX_REQUEST) {
		VLOG_WARN(
			"control: request from pid %d exceeds %d bytes; disconnecting it",
			(int)c->pid, CTL_MAX_REQUEST);
		conn_queue(c, reply_line(NULL, NULL, "request too long"));
		c->closing = true;
	}
}

/* Idle again once nothing is half-read or unsent; a new clock then. */
static void conn_settle(struct ctl_conn *c)
{
	if (c->fd < 0 || c->out || c->in_len)
		return;
	c->busy_ms = 0;
	c->idle_ms = util_now_ms();
}

static void conn_read(struct ctl_server *srv, struct ctl_conn *c)
{
	ssize_t n;

	n = read(c->fd, c->in + c->in_len, CTL_MAX_REQUEST - c->in_len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(c);
		return;
	}
	c->in_len += n;
	if (!c->busy_ms)
		c->busy_ms = util_now_ms();
	conn_serve(srv, c);
	conn_settle(c);
}

static void conn_write(struct ctl_server *srv, struct ctl_conn *c)
{
	ssize_t n;

	n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
		 MSG_NOSIGNAL);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		conn_close(c);
		return;
	}
	c->out_off += n;
	if (c->out_off < c->out_len)
		return;
	free(c->out);
	c->out = NULL;
	if (c->closing) {
		shutdown(c->fd, SHUT_WR);
		conn_close(c);
		return;
	}
	conn_serve(srv, c); /* pipelined requests already buffered */
	conn_settle(c);
}

int ctl_server_pollfds(struct ctl_server *srv, struct pollfd *pfd)
{
	int n = 0;
	size_t i;

	for (i = 0; i < CTL_SERVER_MAX_CLIENTS; i++) {
		struct ctl_conn *c = &srv->conns[i];

		if (c->fd < 0)
			continue;
		pfd[n].fd = c->fd;
		pfd[n].events = c->out ? POLLOUT : POLLIN;
		pfd[n].revents = 0;
		n++;
	}
	/* Always: a client that gets no slot is told so at once. */
	if (srv->listen_fd >= 0) {
		pfd[n].fd = srv->listen_fd;
		pfd[n].events = POLLIN;
		pfd[n].revents = 0;
		n++;
	}
	return n;
}

static struct ctl_conn *conn_by_fd(struct ctl_server *srv, int fd)
{
	size_t i;

	for (i = 0; i < CTL_SERVER_MAX_CLIENTS; i++)
		if (srv->conns[i].fd == fd)
			return &srv->conns[i];
	return NULL;
}

/* When @c times out (ms, monotonic). */
static uint64_t conn_deadline(const struct ctl_conn *c)
{
	return c->busy_ms ? c->busy_ms + CTL_SERVER_SLOW_MS :
			    c->idle_ms + CTL_SERVER_IDLE_MS;
}

int ctl_server_timeout_ms(const struct ctl_server *srv)
{
	uint64_t now = util_now_ms(), next = UINT64_MAX;
	size_t i;

	for (i = 0; i < CTL_SERVER_MAX_CLIENTS; i++)
		if (srv->conns[i].fd >= 0)
			next = MIN(next, conn_deadline(&srv->conns[i]));
	if (next == UINT64_MAX)
		return -1;
	return next <= now ? 0 : (int)MIN(next - now, INT_MAX);
}

/* Close the clients whose time is up; a half-sent request is told why. */
static void expire(struct ctl_server *srv)
{
	uint64_t now = util_now_ms();
	struct ctl_conn *c;
	char msg[64];
	size_t i;

	for (i = 0; i < CTL_SERVER_MAX_CLIENTS; i++) {
		c = &srv->conns[i];
		if (c->fd < 0 || now < conn_deadline(c))
			continue;
		VLOG_DBG("control: client pid %d uid %u timed out (%s)",
			 (int)c->pid, (unsigned int)c->uid,
			 c->out	   ? "reply not read" :
			 c->in_len ? "request not completed" :
				     "idle");
		if (!c->out && c->in_len) {
			snprintf(msg, sizeof(msg),
				 "request not completed within %d s",
				 CTL_SERVER_SLOW_MS / 1000);
			refuse(c->fd, msg);
			c->fd = -1;
		}
		conn_close(c);
	}
}

void ctl_server_process(struct ctl_server *srv, const struct pollfd *pfd, int n)
{
	struct ctl_conn *c;
	int i;

	for (i = 0; i < n; i++) {
		if (!pfd[i].revents)
			continue;
		if (pfd[i].fd == srv->listen_fd) {
			accept_one(srv);
			continue;
		}
		c = conn_by_fd(srv, pfd[i].fd);
		if (!c)
			continue;
		if (c->out && (pfd[i].revents & (POLLOUT | POLLERR | POLLHUP)))
			conn_write(srv, c);
		else if (pfd[i].revents & (POLLIN | POLLERR | POLLHUP))
			conn_read(srv, c);
	}
	expire(srv);
}

static int listen_on(struct ctl_server *srv, const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char dir[sizeof(sun.sun_path)];
	char *slash;
	int fd, ret;

	if (strlen(path) >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	strcpy(sun.sun_path, path);
	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		ret = util_mkdir_p(dir, 0755);
		if (ret)
			return ret;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* The pid lock guarantees no live daemon owns a leftover socket. */
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) ||
	    chmod(path, 0660) ||
	    (srv->gid != (gid_t)-1 && chown(path, (uid_t)-1, srv->gid)) ||
	    listen(fd, CTL_SERVER_MAX_CLIENTS)) {
		ret = -errno;
		close(fd);
		unlink(path);
		return ret;
	}
	srv->listen_fd = fd;
	return 0;
}

struct ctl_server *ctl_server_create(const char *path, gid_t gid,
				     const char *version)
{
	struct ctl_server *srv = calloc(1, sizeof(*srv));
	size_t i;
	int ret;

	if (!srv)
		return NULL;
	srv->listen_fd = -1;
	for (i = 0; i < CTL_SERVER_MAX_CLIENTS; i++)
		srv->conns[i].fd = -1;
	srv->gid = gid != (gid_t)-1 ? gid : getegid();
	srv->version = strdup(version ? version : "");
	ret = srv->version ? register_builtins(srv) : -ENOMEM;
	if (!ret && path) {
		srv->path = strdup(path);
		ret = srv->path ? listen_on(srv, path) : -ENOMEM;
	}
	if (ret) {
		ctl_server_destroy(srv);
		errno = -ret;
		return NULL;
	}
	return srv;
}

void ctl_server_destroy(struct ctl_server *srv)
{
	size_t i;

	if (!srv)
		return;
	for (i = 0; i < CTL_SERVER_MAX_CLIENTS; i++)
		if (srv->conns[i].fd >= 0)
			conn_close(&srv->conns[i]);
	if (srv->listen_fd >= 0) {
		close(srv->listen_fd);
		unlink(srv->path);
	}
	for (i = 0; i < srv->n_cmds; i++) {
		free(srv->cmds[i].name);
		free(srv->cmds[i].usage);
	}
	free(srv->cmds);
	free(srv->path);
	free(srv->version);
	free(srv);
}
