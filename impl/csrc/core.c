/// \file core.c
/// Systems, cores, and the per-core deferred-free queue (Seastar's xcpu_freelist):
/// a lock-free multi-producer single-consumer stack. Foreign last droppers push
/// with a release CAS loop; the owner takes the whole list with one acquire
/// exchange, so every write the droppers made to an allocation happens-before
/// the owner frees it.
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int iob_system_new(int32_t ncores, iob_system **out) {
    if (out == NULL || ncores < 1 || ncores > IOB_MAX_CORES) return IOB_EINVAL;
    iob_system *s = malloc(sizeof *s);
    if (s == NULL) return IOB_ENOMEM;
    size_t bytes = sizeof(struct iob_core) * (size_t)ncores;
    s->cores = aligned_alloc(IOB_CACHE_LINE, bytes);
    if (s->cores == NULL) {
        free(s);
        return IOB_ENOMEM;
    }
    memset(s->cores, 0, bytes);
    for (int32_t i = 0; i < ncores; i++) {
        s->cores[i].id = i;
        atomic_init(&s->cores[i].xfree, NULL);
    }
    s->ncores = ncores;
    *out = s;
    return IOB_OK;
}

int iob_system_destroy(iob_system *s) {
    if (s == NULL) return IOB_EINVAL;
    for (int32_t i = 0; i < s->ncores; i++) iob_core_poll(s, i, NULL);
    for (int32_t i = 0; i < s->ncores; i++)
        if (s->cores[i].live_allocations != 0) return IOB_EWOULDBLOCK;
    free(s->cores);
    free(s);
    return IOB_OK;
}

int iob_system_cores(const iob_system *s, int32_t *ncores) {
    if (s == NULL || ncores == NULL) return IOB_EINVAL;
    *ncores = s->ncores;
    return IOB_OK;
}

/// Free `a` on its owner (the caller runs on the owner) and update its owner-only counters.
void iob__free_on_owner(iob_system *s, struct iob_alloc *a) {
    struct iob_core *c = &s->cores[a->owner];
    IOB_TRACE(IOB_EV_CORE_STATE, c, (uint64_t)c->id, 0, 0, 0);
    c->live_allocations -= 1;
    c->live_bytes -= a->size;
    IOB_TRACE(IOB_EV_FREE, a, 0, a->size, 0, 0);
    free(a);
}

/// Push `a` onto its owner's deferred-free queue (called by a foreign last dropper).
void iob__defer_free(iob_system *s, struct iob_alloc *a) {
    iob_atomic_alloc_ptr *head = &s->cores[a->owner].xfree;
    struct iob_alloc *old = IOB_LOAD_PTR(XFREE_HEAD, head, relaxed);
    do {
        a->next = old;
    } while (!IOB_CAS_WEAK_PTR(XFREE_PUSH, head, &old, a, release, relaxed));
}

int iob_core_poll(iob_system *s, int32_t core, uint64_t *freed) {
    if (!iob__valid_core(s, core)) return IOB_EINVAL;
    IOB_ON_CORE(core);
    struct iob_alloc *a = IOB_EXCHANGE_PTR(XFREE_DRAIN, &s->cores[core].xfree, NULL, acquire);
    uint64_t n = 0;
    while (a != NULL) {
        struct iob_alloc *next = a->next;
        iob__free_on_owner(s, a);
        a = next;
        n++;
    }
    if (freed != NULL) *freed = n;
    return IOB_OK;
}

int iob_core_stats(iob_system *s, int32_t core, iob_stats *out) {
    if (!iob__valid_core(s, core) || out == NULL) return IOB_EINVAL;
    IOB_ON_CORE(core);
    struct iob_core *c = &s->cores[core];
    IOB_TRACE(IOB_EV_CORE_STATE, c, (uint64_t)c->id, 0, 0, 0);
    uint64_t pending = 0;
    // Only the owner unlinks nodes, so walking from an acquired head is safe
    // while foreign cores keep pushing in front of it.
    for (struct iob_alloc *a = IOB_LOAD_PTR(XFREE_PEEK, &c->xfree, acquire); a; a = a->next)
        pending++;
    out->live_allocations = c->live_allocations;
    out->live_bytes = c->live_bytes;
    out->pending_frees = pending;
    return IOB_OK;
}
