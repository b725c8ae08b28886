/* refcount_overflow.c: the refcount-overflow abort (DESIGN.md §4: "Refcount
 * overflow aborts (as Rust's Arc does)").
 *
 * Reaching the limit for real takes 2^31 live references to one allocation,
 * that is 2^31 handles (tens of GiB), so no test can get there through the
 * API alone. This program is compiled with the library's sources
 * (`iobuf.impl.build.build_program`), which gives it the private layout
 * (internal.h): it starts one allocation's count just below
 * IOB_REFCOUNT_MAX by storing into the field, as if that many references
 * existed, and then takes every further reference through the public API,
 * so the check under test is the library's own, on its real code path and
 * at its real limit. The library itself has no test hook.
 *
 * usage: refcount_overflow MODE
 *   below: the count at IOB_REFCOUNT_MAX - 1; one more share is still
 *          allowed (the count reaches the limit), prints "ok" and exits 0
 *   buf:   the count at the limit; iob_buf_share must abort
 *   chain: the count at the limit; iob_chain_share of a chain holding the
 *          allocation as a fragment must abort
 *   send:  the count at the limit; iob_buf_send (a move, not a new
 *          reference) must not abort: prints "ok" and exits 0
 * Before a call that must abort, it prints "calling" and flushes, so the
 * test knows the abort came from that call and not from the setup.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define CHECK(expr)                                                           \
    do {                                                                      \
        if ((expr) != IOB_OK) {                                               \
            fprintf(stderr, "%s:%d: %s failed\n", __FILE__, __LINE__, #expr); \
            exit(2);                                                          \
        }                                                                     \
    } while (0)

/* Pretend `count` references to b's allocation exist (single-threaded: no
 * other core can see the allocation, so a plain relaxed store is enough). */
static void set_count(iob_buf *b, uint32_t count) {
    atomic_store_explicit(&b->a->refcount, count, memory_order_relaxed);
}

static uint32_t count_of(iob_buf *b) {
    iob_buf_info info;
    CHECK(iob_buf_info_get(b, &info));
    return (uint32_t)info.refcount;
}

static void calling(void) {
    puts("calling");
    fflush(stdout);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s below|buf|chain|send\n", argv[0]);
        return 2;
    }
    const char *mode = argv[1];
    iob_system *sys;
    CHECK(iob_system_new(2, &sys));
    iob_buf *b;
    CHECK(iob_alloc(sys, 0, 64, &b));

    if (strcmp(mode, "below") == 0) {
        set_count(b, IOB_REFCOUNT_MAX - 1);
        iob_buf *view;
        CHECK(iob_buf_share(b, 0, 8, &view));
        if (count_of(b) != IOB_REFCOUNT_MAX) {
            fprintf(stderr, "count %u, expected %u\n", count_of(b), IOB_REFCOUNT_MAX);
            return 1;
        }
        set_count(b, 2); /* back to the two handles that exist, to clean up */
        CHECK(iob_buf_release(view));
        CHECK(iob_buf_release(b));
        CHECK(iob_system_destroy(sys));
        puts("ok");
        return 0;
    }
    if (strcmp(mode, "buf") == 0) {
        set_count(b, IOB_REFCOUNT_MAX);
        iob_buf *view;
        calling();
        iob_buf_share(b, 0, 8, &view);
        puts("returned"); /* unreachable if the library aborts */
        return 1;
    }
    if (strcmp(mode, "chain") == 0) {
        iob_chain *c, *s;
        CHECK(iob_chain_new(sys, 0, &c));
        iob_buf *big, *keep;
        CHECK(iob_alloc(sys, 0, IOB_MAX_FRAGMENT, &big));
        CHECK(iob_buf_share(big, 0, IOB_TO_END, &keep));
        CHECK(iob_chain_append_buffer(c, big)); /* a full-size buffer becomes a fragment */
        set_count(keep, IOB_REFCOUNT_MAX);
        calling();
        iob_chain_share(c, 0, IOB_MAX_FRAGMENT, &s);
        puts("returned");
        return 1;
    }
    if (strcmp(mode, "send") == 0) {
        set_count(b, IOB_REFCOUNT_MAX);
        iob_buf *moved;
        CHECK(iob_buf_send(b, 1, &moved));
        if (count_of(moved) != IOB_REFCOUNT_MAX) return 1;
        puts("ok");
        return 0; /* the allocation is left behind on purpose: its count is fake */
    }
    fprintf(stderr, "unknown mode %s\n", mode);
    return 2;
}
