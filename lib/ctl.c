// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The client side of the control protocol (see lib/ctl.h). */
#include "lib/ctl.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "lib/util.h"

/* Replies may be large (a partition list); this only bounds a broken peer. */
#define CTL_MAX_REPLY (64 * 1024 * 1024)

struct ctl_client {
	int fd;
	json_int_t next_id;
	char *buf; /* bytes received after the last reply */
	size_t len, cap;
};

static int remaining_ms(uint64_t deadline)
{
	uint64_t now = util_now_ms();

	return now >= deadline ? 0 : (int)(deadline - now);
}

/*
 * connect() without blocking: a UNIX socket whose backlog is full answers
 * EAGAIN at once (it cannot be polled for), so try again until @deadline.
 */
static int connect_until(int fd, const struct sockaddr_un *sun,
			 uint64_t deadline)
{
	while (connect(fd, (const struct sockaddr *)sun, sizeof(*sun))) {
		if (errno != EAGAIN && errno != EINTR)
			return -errno;
		if (!remaining_ms(deadline))
			return -ETIMEDOUT;
		usleep(10000);
	}
	return 0;
}

struct ctl_client *ctl_client_open(const char *path, int timeout_ms)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct ctl_client *c;
	int ret = -ENOMEM;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	strcpy(sun.sun_path, path);
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->next_id = 1;
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	ret = c->fd < 0 ?
		      -errno :
		      connect_until(c->fd, &sun, util_now_ms() + timeout_ms);
	if (ret) {
		ctl_client_close(c);
		errno = -ret;
		return NULL;
	}
	return c;
}

void ctl_client_close(struct ctl_client *c)
{
	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	free(c);
}

/* Send all of @s by @deadline (the socket is non-blocking). */
static int send_all(int fd, const char *s, size_t len, uint64_t deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	ssize_t n;

	while (len) {
		n = send(fd, s, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EAGAIN) {
			n = poll(&pfd, 1, remaining_ms(deadline));
			if (n == 0)
				return -ETIMEDOUT;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		s += n;
		len -= n;
	}
	return 0;
}

/* Read until a full line is buffered; returns its length (with '\n'). */
static int read_line(struct ctl_client *c, uint64_t deadline, size_t *line_len)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	char *nl;
	ssize_t n;

	while (!(nl = c->len ? memchr(c->buf, '\n', c->len) : NULL)) {
		if (c->cap - c->len < 4096) {
			size_t cap = c->cap ? c->cap * 2 : 65536;
			char *b;

			if (cap > CTL_MAX_REPLY)
				return -EMSGSIZE;
			b = realloc(c->buf, cap);
			if (!b)
				return -ENOMEM;
			c->buf = b;
			c->cap = cap;
		}
		n = poll(&pfd, 1, remaining_ms(deadline));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ETIMEDOUT;
		n = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ECONNRESET;
		c->len += n;
	}
	*line_len = nl - c->buf + 1;
	return 0;
}

static char *request_line(json_int_t id, const char *method, int argc,
			  const char *const argv[])
{
	json_t *params = json_array(), *req;
	char *s;
	int i;

	for (i = 0; i < argc; i++)
		json_array_append_new(params, json_string(argv[i]));
	req = json_pack("{s:I, s:s, s:o}", "id", id, "method", method, "params",
			params);
	if (!req)
		return NULL;
	s = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	return s;
}

static int parse_reply(const char *line, size_t len, json_int_t id,
		       json_t **result, char **error)
{
	json_t *reply, *err, *res;
	int ret = -EPROTO;

	reply = json_loadb(line, len, 0, NULL);
	if (!json_is_object(reply))
		goto out;
	err = json_object_get(reply, "error");
	res = json_object_get(reply, "result");
	if (json_is_string(err)) {
		if (error)
			*error = strdup(json_string_value(err));
		ret = -EREMOTEIO;
	} else if (json_integer_value(json_object_get(reply, "id")) == id) {
		*result = res ? json_incref(res) : json_null();
		ret = 0;
	}
out:
	json_decref(reply);
	return ret;
}

int ctl_client_call(struct ctl_client *c, const char *method, int argc,
		    const char *const argv[], int timeout_ms, json_t **result,
		    char **error)
{
	uint64_t deadline = util_now_ms() + timeout_ms;
	json_int_t id = c->next_id++;
	size_t len = 0;
	char *req;
	int ret;

	*result = NULL;
	if (error)
		*error = NULL;
	req = request_line(id, method, argc, argv);
	if (!req)
		return -ENOMEM;
	if (strlen(req) + 1 > CTL_MAX_REQUEST) {
		free(req);
		return -EMSGSIZE;
	}
	ret = send_all(c->fd, req, strlen(req), deadline);
	if (!ret)
		ret = send_all(c->fd, "\n", 1, deadline);
	free(req);
	if (!ret)
		ret = read_line(c, deadline, &len);
	if (ret)
		return ret;
	ret = parse_reply(c->buf, len - 1, id, result, error);
	memmove(c->buf, c->buf + len, c->len - len);
	c->len -= len;
	return ret;
}
