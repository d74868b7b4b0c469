// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The PKey table read in a worker thread (see pkeys_async.h). */
#include "fabricd/pkeys_async.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "lib/util.h"

struct pkeys_async {
	pthread_t thread;
	pthread_mutex_t lock; /* guards everything below but @efd */
	pthread_cond_t wake; /* a read asked for, or stop */
	int efd; /* eventfd: a result is waiting */
	char *dev; /* NULL: the first device */
	int port;
	struct pkeys_port *pk; /* the worker's; set once open */
	bool read_wanted, stop;
	bool running; /* an operation is running */
	enum pkeys_async_op op; /* the running or last operation */
	uint64_t since_ms; /* when it began */
	bool have_result;
	struct pkeys_async_result res;
};

/* Publish @pa->res (the lock held) and wake the main loop. */
static void publish(struct pkeys_async *pa)
{
	uint64_t one = 1;

	pa->running = false;
	pa->have_result = true;
	if (write(pa->efd, &one, sizeof(one)) != sizeof(one))
		abort(); /* an eventfd write cannot fail here */
}

static void begin(struct pkeys_async *pa, enum pkeys_async_op op)
{
	pa->running = true;
	pa->op = op;
	pa->since_ms = util_now_ms();
}

static void do_open(struct pkeys_async *pa)
{
	bool roce = pa->dev && pkeys_is_roce(pa->dev, pa->port);
	struct pkeys_port *pk = roce ? NULL : pkeys_open(pa->dev, pa->port);
	int err = pk || roce ? 0 : -errno;

	pthread_mutex_lock(&pa->lock);
	pa->pk = pk;
	memset(&pa->res, 0, sizeof(pa->res));
	pa->res.op = PKEYS_ASYNC_OPEN;
	pa->res.err = err;
	pa->res.roce = roce;
	publish(pa);
	pthread_mutex_unlock(&pa->lock);
}

static void do_read(struct pkeys_async *pa)
{
	static uint16_t pk[PKEYS_MAX]; /* one worker reads at a time */
	int n = pkeys_read(pa->pk, pk, PKEYS_MAX);

	pthread_mutex_lock(&pa->lock);
	pa->res.op = PKEYS_ASYNC_READ;
	pa->res.err = n < 0 ? n : 0;
	pa->res.n_pkeys = n < 0 ? 0 : (size_t)n;
	memcpy(pa->res.pkeys, pk, pa->res.n_pkeys * sizeof(*pk));
	publish(pa);
	pthread_mutex_unlock(&pa->lock);
}

static void *worker(void *arg)
{
	struct pkeys_async *pa = arg;

	do_open(pa);
	pthread_mutex_lock(&pa->lock);
	while (pa->pk && !pa->stop) {
		if (!pa->read_wanted) {
			pthread_cond_wait(&pa->wake, &pa->lock);
			continue;
		}
		pa->read_wanted = false;
		begin(pa, PKEYS_ASYNC_READ);
		pthread_mutex_unlock(&pa->lock);
		do_read(pa);
		pthread_mutex_lock(&pa->lock);
	}
	pthread_mutex_unlock(&pa->lock);
	return NULL;
}

struct pkeys_async *pkeys_async_open(const char *dev, int port)
{
	struct pkeys_async *pa = calloc(1, sizeof(*pa));
	int ret;

	if (!pa)
		return NULL;
	pthread_mutex_init(&pa->lock, NULL);
	pthread_cond_init(&pa->wake, NULL);
	pa->port = port;
	pa->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	pa->dev = dev ? strdup(dev) : NULL;
	if (pa->efd < 0 || (dev && !pa->dev))
		goto err;
	begin(pa, PKEYS_ASYNC_OPEN);
	ret = pthread_create(&pa->thread, NULL, worker, pa);
	if (ret) {
		errno = ret; /* pthreads return positive errnos */
		goto err;
	}
	return pa;
err:
	ret = errno;
	if (pa->efd >= 0)
		close(pa->efd);
	free(pa->dev);
	free(pa);
	errno = ret;
	return NULL;
}

void pkeys_async_close(struct pkeys_async *pa)
{
	bool stuck;
	int tries;

	if (!pa)
		return;
	pthread_mutex_lock(&pa->lock);
	pa->stop = true;
	pthread_cond_signal(&pa->wake);
	/* Half a second for an operation under way to end. */
	for (tries = 0; pa->running && tries < 50; tries++) {
		pthread_mutex_unlock(&pa->lock);
		usleep(10000);
		pthread_mutex_lock(&pa->lock);
	}
	stuck = pa->running;
	pthread_mutex_unlock(&pa->lock);
	if (stuck) {
		pthread_detach(pa->thread);
		return;
	}
	pthread_join(pa->thread, NULL);
	pkeys_close(pa->pk);
	close(pa->efd);
	free(pa->dev);
	free(pa);
}

int pkeys_async_fd(const struct pkeys_async *pa)
{
	return pa->efd;
}

bool pkeys_async_result(struct pkeys_async *pa, struct pkeys_async_result *r)
{
	uint64_t v;
	bool have;

	if (read(pa->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return false;
	pthread_mutex_lock(&pa->lock);
	have = pa->have_result;
	if (have)
		*r = pa->res;
	pa->have_result = false;
	pthread_mutex_unlock(&pa->lock);
	return have;
}

int pkeys_async_read(struct pkeys_async *pa)
{
	int ret = 0;

	pthread_mutex_lock(&pa->lock);
	if (pa->running || pa->have_result || pa->read_wanted)
		ret = -EBUSY;
	else if (!pa->pk)
		ret = -ENOTCONN;
	if (!ret) {
		pa->read_wanted = true;
		begin(pa, PKEYS_ASYNC_READ);
		pthread_cond_signal(&pa->wake);
	}
	pthread_mutex_unlock(&pa->lock);
	return ret;
}

uint64_t pkeys_async_busy_ms(struct pkeys_async *pa, enum pkeys_async_op *op)
{
	uint64_t ms = 0;

	pthread_mutex_lock(&pa->lock);
	if (pa->running) {
		ms = util_now_ms() - pa->since_ms;
		*op = pa->op;
	}
	pthread_mutex_unlock(&pa->lock);
	return ms;
}

const struct pkeys_port *pkeys_async_port(const struct pkeys_async *pa)
{
	struct pkeys_async *m = (struct pkeys_async *)pa;
	const struct pkeys_port *pk;

	pthread_mutex_lock(&m->lock);
	pk = m->pk;
	pthread_mutex_unlock(&m->lock);
	return pk;
}
