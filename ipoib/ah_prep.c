// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Address handles made ahead of need on a helper thread (ah_prep.h). */
#include "ipoib/ah_prep.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/util.h"

LOG_MODULE(ipoib_port);

struct prep_req {
	struct ipoib_ah_key key;
	struct ibv_ah_attr attr;
	struct ibv_ah *ah; /* done[] only */
};

struct ipoib_ah_prep {
	pthread_t thread;
	pthread_mutex_t lock; /* everything below */
	pthread_cond_t cond; /* a request, or stop */
	bool stop;
	struct ibv_pd *pd;
	struct prep_req todo[IPOIB_AH_PREP_MAX];
	unsigned int n_todo;
	struct prep_req done[IPOIB_AH_PREP_MAX];
	unsigned int n_done;
	struct ipoib_ah_key busy; /* being made, when @n_busy */
	unsigned int n_busy;
	struct ipoib_ah_prep_stats st;
};

static bool key_same(const struct ipoib_ah_key *a, const struct ipoib_ah_key *b)
{
	return a->dlid == b->dlid && a->sl == b->sl && a->global == b->global &&
	       !memcmp(a->dgid.raw, b->dgid.raw, IPOIB_GID_LEN);
}

static bool known(const struct ipoib_ah_prep *p, const struct ipoib_ah_key *k)
{
	unsigned int i;

	if (p->n_busy && key_same(&p->busy, k))
		return true;
	for (i = 0; i < p->n_todo; i++)
		if (key_same(&p->todo[i].key, k))
			return true;
	for (i = 0; i < p->n_done; i++)
		if (key_same(&p->done[i].key, k))
			return true;
	return false;
}

/* Make one handle, the lock dropped meanwhile; NULL: failed. */
static struct ibv_ah *make_one(struct ipoib_ah_prep *p, struct prep_req *r)
{
	uint64_t t0 = util_now_ms(), ms;
	struct ibv_ah *ah;
	char gid[64];

	pthread_mutex_unlock(&p->lock);
	ah = ibv_create_ah(p->pd, &r->attr);
	ms = util_now_ms() - t0;
	if (ms >= 100 || !ah) {
		ipoib_gid_format(&r->key.dgid, gid, sizeof(gid));
		VLOG_INFO("address handle for %s made ahead of need%s in "
			  "%llu ms",
			  gid, ah ? "" : " failed", (unsigned long long)ms);
	}
	pthread_mutex_lock(&p->lock);
	p->st.max_ms = ms > p->st.max_ms ? ms : p->st.max_ms;
	return ah;
}

static void *prep_thread(void *arg)
{
	struct ipoib_ah_prep *p = arg;
	struct prep_req r;

	pthread_mutex_lock(&p->lock);
	while (!p->stop) {
		if (!p->n_todo) {
			pthread_cond_wait(&p->cond, &p->lock);
			continue;
		}
		r = p->todo[--p->n_todo];
		p->busy = r.key;
		p->n_busy = 1;
		r.ah = make_one(p, &r);
		p->n_busy = 0;
		if (!r.ah)
			p->st.failed++;
		else if (p->stop)
			ibv_destroy_ah(r.ah);
		else {
			p->st.made++;
			p->done[p->n_done++] = r;
		}
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

struct ipoib_ah_prep *ipoib_ah_prep_create(struct ibv_pd *pd)
{
	struct ipoib_ah_prep *p = calloc(1, sizeof(*p));
	int ret;

	if (!p)
		return NULL;
	p->pd = pd;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	ret = pthread_create(&p->thread, NULL, prep_thread, p);
	if (ret) {
		pthread_cond_destroy(&p->cond);
		pthread_mutex_destroy(&p->lock);
		free(p);
		errno = ret;
		return NULL;
	}
	pthread_setname_np(p->thread, "fabricd-ah");
	return p;
}

void ipoib_ah_prep_destroy(struct ipoib_ah_prep *p)
{
	unsigned int i;

	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	for (i = 0; i < p->n_done; i++)
		ibv_destroy_ah(p->done[i].ah);
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

int ipoib_ah_prep_request(struct ipoib_ah_prep *p,
			  const struct ipoib_ah_key *key,
			  const struct ibv_ah_attr *attr)
{
	int ret = 0;

	pthread_mutex_lock(&p->lock);
	if (known(p, key))
		goto out;
	if (p->n_todo + p->n_done + p->n_busy >= IPOIB_AH_PREP_MAX) {
		ret = -ENOSPC;
		goto out;
	}
	p->todo[p->n_todo].key = *key;
	p->todo[p->n_todo++].attr = *attr;
	pthread_cond_signal(&p->cond);
out:
	pthread_mutex_unlock(&p->lock);
	return ret;
}

unsigned int ipoib_ah_prep_collect(struct ipoib_ah_prep *p, ipoib_ah_prep_fn fn,
				   void *arg)
{
	struct prep_req got[IPOIB_AH_PREP_MAX];
	unsigned int i, n;

	pthread_mutex_lock(&p->lock);
	n = p->n_done;
	memcpy(got, p->done, n * sizeof(got[0]));
	p->n_done = 0;
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < n; i++)
		fn(arg, &got[i].key, got[i].ah);
	return n;
}

void ipoib_ah_prep_stats(struct ipoib_ah_prep *p,
			 struct ipoib_ah_prep_stats *st)
{
	pthread_mutex_lock(&p->lock);
	*st = p->st;
	pthread_mutex_unlock(&p->lock);
}
