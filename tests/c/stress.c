/* stress.c: real threads, one per core, exchanging buffers and chains.
 *
 * Each thread is a core. It allocates buffers and chains, shares them,
 * sends handles to other cores through mailboxes (a mutex-protected list:
 * the user's release/acquire channel), reads and checks what it receives,
 * and drops it there, so last drops happen on foreign cores and go through
 * the deferred-free queues while their owners poll concurrently. At the
 * end every core drains its mailbox, everyone meets at a barrier, polls,
 * and every core's accounting must be zero. Run under TSan (races,
 * including a free racing with a foreign read) and valgrind (leaks,
 * invalid accesses).
 *
 * usage: stress [threads] [iterations]
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iobuf.h"

struct msg {
    struct msg *next;
    iob_buf *buf;     /* one of the two is set */
    iob_chain *chain;
    unsigned char tag; /* every byte of the payload */
};

struct mailbox {
    pthread_mutex_t lock;
    struct msg *head;
};

static iob_system *sys;
static struct mailbox *boxes;
static int nthreads, iterations;
static pthread_barrier_t barrier;

#define CHECK(expr)                                                                  \
    do {                                                                             \
        int rc_ = (expr);                                                            \
        if (rc_ != IOB_OK) {                                                         \
            fprintf(stderr, "%s:%d: %s returned %d\n", __FILE__, __LINE__, #expr, rc_); \
            abort();                                                                 \
        }                                                                            \
    } while (0)

static void post(int core, struct msg *m) {
    pthread_mutex_lock(&boxes[core].lock);
    m->next = boxes[core].head;
    boxes[core].head = m;
    pthread_mutex_unlock(&boxes[core].lock);
}

static struct msg *take_all(int core) {
    pthread_mutex_lock(&boxes[core].lock);
    struct msg *m = boxes[core].head;
    boxes[core].head = NULL;
    pthread_mutex_unlock(&boxes[core].lock);
    return m;
}

/* Read and check a received handle, then drop it on this (foreign) core. */
static void consume(struct msg *m) {
    if (m->buf) {
        const uint8_t *p;
        uint64_t n;
        CHECK(iob_buf_peek(m->buf, 0, IOB_TO_END, &p, &n));
        for (uint64_t i = 0; i < n; i++)
            if (p[i] != m->tag) abort();
        CHECK(iob_buf_release(m->buf));
    } else {
        iob_consumer *k;
        CHECK(iob_consumer_new(m->chain, &k));
        uint64_t done, left;
        CHECK(iob_consumer_position(k, &done, &left));
        while (left--) {
            uint8_t b;
            CHECK(iob_consumer_read_u8(k, &b));
            if (b != m->tag) abort();
        }
        CHECK(iob_consumer_destroy(k));
        CHECK(iob_chain_release(m->chain));
    }
    free(m);
}

static void drain(int core) {
    for (struct msg *m = take_all(core), *next; m; m = next) {
        next = m->next;
        consume(m);
    }
}

static void send_buf(int me, iob_buf *b, int to, unsigned char tag) {
    struct msg *m = calloc(1, sizeof *m);
    CHECK(iob_buf_send(b, to, &m->buf));
    m->tag = tag;
    (void)me;
    post(to, m);
}

static void send_chain(iob_chain *c, int to, unsigned char tag) {
    struct msg *m = calloc(1, sizeof *m);
    CHECK(iob_chain_send(c, to, &m->chain));
    m->tag = tag;
    post(to, m);
}

static void *core_main(void *arg) {
    int me = (int)(intptr_t)arg;
    unsigned seed = 12345u + (unsigned)me;
    unsigned char data[3000];
    for (int it = 0; it < iterations; it++) {
        unsigned char tag = (unsigned char)(rand_r(&seed) & 0xff);
        int to = rand_r(&seed) % nthreads;
        size_t size = 1 + (size_t)(rand_r(&seed) % 2000);
        memset(data, tag, sizeof data);

        iob_buf *b;
        CHECK(iob_alloc(sys, me, (int64_t)size, &b));
        CHECK(iob_buf_write(b, 0, data, size));
        iob_buf *view;
        CHECK(iob_buf_share(b, 1, IOB_TO_END, &view));
        send_buf(me, view, to, tag);                       /* a shared view goes abroad */
        send_buf(me, b, (to + 1) % nthreads, tag);          /* and so does the original */

        iob_chain *c, *part;
        CHECK(iob_chain_new(sys, me, &c));
        CHECK(iob_chain_append(c, data, size));
        CHECK(iob_chain_append(c, data, sizeof data));      /* fills slack, then new fragments */
        CHECK(iob_chain_share(c, 1, (int64_t)size, &part));
        CHECK(iob_chain_trim_front(c, 7));
        send_chain(part, to, tag);
        send_chain(c, (to + 2) % nthreads, tag);

        if (it % 3 == 0) drain(me);
        uint64_t freed;
        CHECK(iob_core_poll(sys, me, &freed));
    }
    pthread_barrier_wait(&barrier); /* every message has been posted */
    drain(me);
    pthread_barrier_wait(&barrier); /* every foreign drop has been queued */
    uint64_t freed;
    CHECK(iob_core_poll(sys, me, &freed));
    iob_stats st;
    CHECK(iob_core_stats(sys, me, &st));
    if (st.live_allocations || st.live_bytes || st.pending_frees) {
        fprintf(stderr, "core %d leaks: %llu allocations, %llu bytes, %llu pending\n", me,
                (unsigned long long)st.live_allocations, (unsigned long long)st.live_bytes,
                (unsigned long long)st.pending_frees);
        abort();
    }
    return NULL;
}

int main(int argc, char **argv) {
    nthreads = argc > 1 ? atoi(argv[1]) : 4;
    iterations = argc > 2 ? atoi(argv[2]) : 1000;
    if (nthreads < 1 || nthreads > 64 || iterations < 0) return 2;
    CHECK(iob_system_new(nthreads, &sys));
    boxes = calloc((size_t)nthreads, sizeof *boxes);
    for (int i = 0; i < nthreads; i++) pthread_mutex_init(&boxes[i].lock, NULL);
    pthread_barrier_init(&barrier, NULL, (unsigned)nthreads);
    pthread_t *threads = calloc((size_t)nthreads, sizeof *threads);
    for (int i = 0; i < nthreads; i++)
        pthread_create(&threads[i], NULL, core_main, (void *)(intptr_t)i);
    for (int i = 0; i < nthreads; i++) pthread_join(threads[i], NULL);
    CHECK(iob_system_destroy(sys));
    for (int i = 0; i < nthreads; i++) pthread_mutex_destroy(&boxes[i].lock);
    pthread_barrier_destroy(&barrier);
    free(threads);
    free(boxes);
    printf("ok: %d cores x %d iterations\n", nthreads, iterations);
    return 0;
}
