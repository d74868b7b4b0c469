// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The snapshot writer thread; see smwriter.h for why it exists. */
#include "sm-plugin/smwriter.h"

#include <errno.h>
#include <libgen.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/util.h"
#include "sm-plugin/smsnap.h"

LOG_MODULE(smwriter);

struct smwriter {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct smsnap *pending; /* next snapshot to write, or NULL */
	bool stop;
	char *path;
};

static int ensure_dir_of(const char *path)
{
	char *copy = strdup(path);
	int ret;

	if (!copy)
		return -ENOMEM;
	ret = util_mkdir_p(dirname(copy), 0755);
	free(copy);
	return ret;
}

static void write_one(const struct smwriter *w, struct smsnap *snap)
{
	uint64_t t0 = util_now_ms(), t1;
	char *text = smsnap_render(snap);
	int ret = text ? ensure_dir_of(w->path) : -ENOMEM;

	t1 = util_now_ms();
	if (!ret)
		ret = util_write_file_atomic(w->path, text, strlen(text), 0644);
	if (ret < 0)
		VLOG_ERR("cannot write state snapshot %s: %s", w->path,
			 strerror(-ret));
	else
		VLOG_DBG("snapshot of sweep %llu: JSON %llu ms, write %llu ms",
			 (unsigned long long)snap->sweep,
			 (unsigned long long)(t1 - t0),
			 (unsigned long long)(util_now_ms() - t1));
	free(text);
	smsnap_free(snap);
}

static void *writer_main(void *arg)
{
	struct smwriter *w = arg;
	struct smsnap *snap;
	bool stop;

	/* The snapshot can wait; OpenSM's own threads (and, on a small SM
	 * host, the fabric's next sweep) go first. Linux nice is per thread. */
	if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19))
		VLOG_DBG("cannot lower the writer's priority: %s",
			 strerror(errno));
	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->pending && !w->stop)
			pthread_cond_wait(&w->cond, &w->lock);
		snap = w->pending;
		w->pending = NULL;
		stop = w->stop;
		pthread_mutex_unlock(&w->lock);
		if (snap)
			write_one(w, snap);
		if (stop && !snap)
			return NULL;
		pthread_mutex_lock(&w->lock);
	}
}

struct smwriter *smwriter_start(const char *path)
{
	struct smwriter *w = calloc(1, sizeof(*w));
	int ret;

	if (!w)
		return NULL;
	w->path = strdup(path);
	if (!w->path)
		goto err_free;
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	ret = pthread_create(&w->thread, NULL, writer_main, w);
	if (ret) {
		errno = ret;
		goto err_path;
	}
	return w;

err_path:
	free(w->path);
err_free:
	free(w);
	return NULL;
}

void smwriter_submit(struct smwriter *w, struct smsnap *snap)
{
	struct smsnap *old;

	pthread_mutex_lock(&w->lock);
	old = w->pending;
	w->pending = snap;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	smsnap_free(old);
}

void smwriter_stop(struct smwriter *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	smsnap_free(w->pending);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w->path);
	free(w);
}
