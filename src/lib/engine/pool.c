// SPDX-License-Identifier: MIT
/*
 * Worker threads for slow callbacks: the reader copies each record into a
 * bounded queue and goes back to the rings at once, so a callback that
 * blocks costs queue space, not lost records.  When the queue is full the
 * record is dropped and counted (stats.dropped), never waited for: waiting
 * would push the loss back into the kernel's rings, where it is silent.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "engine/internal.h"

struct pool {
	pthread_mutex_t lock;
	pthread_cond_t nonempty, idle;
	struct surf_record **queue;
	unsigned int cap, head, count, busy;
	bool stopping;
	pthread_t *threads;
	unsigned int nthreads;
};

static void *worker(void *arg)
{
	struct pool *p = arg;
	struct surf_record *rec;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->count && !p->stopping)
			pthread_cond_wait(&p->nonempty, &p->lock);
		if (!p->count)
			break;
		rec = p->queue[p->head];
		p->head = (p->head + 1) % p->cap;
		p->count--;
		p->busy++;
		pthread_mutex_unlock(&p->lock);
		rec->event->cb(rec->event->ctx, rec);
		free(rec);
		pthread_mutex_lock(&p->lock);
		p->busy--;
		if (!p->count && !p->busy)
			pthread_cond_broadcast(&p->idle);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int pool_new(struct pool **out, unsigned int workers, unsigned int queue_len)
{
	struct pool *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->cap = queue_len ? queue_len : 65536;
	p->queue = calloc(p->cap, sizeof(*p->queue));
	p->threads = calloc(workers, sizeof(*p->threads));
	if (!p->queue || !p->threads) {
		free(p->queue);
		free(p->threads);
		free(p);
		return -ENOMEM;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->nonempty, NULL);
	pthread_cond_init(&p->idle, NULL);
	for (; p->nthreads < workers; p->nthreads++)
		if (pthread_create(&p->threads[p->nthreads], NULL, worker, p))
			break;
	if (!p->nthreads) {
		pool_free(p);
		return -EAGAIN;
	}
	*out = p;
	return 0;
}

bool pool_push(struct pool *p, const struct surf_record *rec)
{
	size_t chain = (size_t)rec->nr_callchain * sizeof(uint64_t);
	struct surf_record *copy;
	uint8_t *tail;
	bool ok;

	pthread_mutex_lock(&p->lock);
	ok = p->count < p->cap;
	pthread_mutex_unlock(&p->lock);
	if (!ok)
		return false;
	/* One block: the record, its user strings, its call chain, its raw data. */
	copy = malloc(sizeof(*copy) + sizeof(struct ustr_set) + chain + rec->raw_size);
	if (!copy)
		return false;
	*copy = *rec;
	tail = (uint8_t *)(copy + 1);
	if (rec->user_strings) {
		memcpy(tail, rec->user_strings, sizeof(struct ustr_set));
		copy->user_strings = tail;
	}
	tail += sizeof(struct ustr_set);
	if (chain) {
		memcpy(tail, rec->callchain, chain);
		copy->callchain = (const uint64_t *)(const void *)tail;
		tail += chain;
	}
	memcpy(tail, rec->raw, rec->raw_size);
	copy->raw = tail;

	pthread_mutex_lock(&p->lock);
	p->queue[(p->head + p->count) % p->cap] = copy;
	p->count++;
	pthread_cond_signal(&p->nonempty);
	pthread_mutex_unlock(&p->lock);
	return true;
}

/* Let the workers finish what is queued, then stop them. */
void pool_free(struct pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = true;
	pthread_cond_broadcast(&p->nonempty);
	pthread_mutex_unlock(&p->lock);
	for (unsigned int i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	while (p->count) {
		free(p->queue[p->head]);
		p->head = (p->head + 1) % p->cap;
		p->count--;
	}
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->nonempty);
	pthread_cond_destroy(&p->idle);
	free(p->queue);
	free(p->threads);
	free(p);
}
