/// \file internal.h
/// Private layouts and helpers shared by the .c files (not part of the ABI).
#ifndef IOBUF_INTERNAL_H
#define IOBUF_INTERNAL_H

#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>

#include "atomics.h"
#include "iobuf.h"

#define IOB_MAX_CORES 64
#define IOB_MAX_ALLOC_SIZE (INT64_C(1) << 30)
#define IOB_MAX_FRAGMENT 131072
#define IOB_CACHE_LINE 64
/// Refcounts above this abort (Arc's rule: only a leak of 2^31 handles gets here).
#define IOB_REFCOUNT_MAX (UINT32_C(1) << 31)

/// An allocation: header then payload. `refcount` is the only field written
/// by several cores (atomically); `next` is written by the foreign last
/// dropper before its release CAS and read by the owner after its acquire
/// exchange; everything else is immutable after creation.
struct iob_alloc {
    iob_atomic_u32 refcount;
    int32_t owner;
    uint64_t size;
    struct iob_alloc *next;
    uint64_t reserved;
    unsigned char data[];
};
_Static_assert(offsetof(struct iob_alloc, data) % 16 == 0, "payload is 16-byte aligned");

/// One core. live_* are owner-only (plain, no atomics); `xfree` is the MPSC
/// deferred-free queue, on its own cache line because foreign cores CAS it.
struct iob_core {
    int32_t id;
    uint64_t live_allocations;
    uint64_t live_bytes;
    alignas(IOB_CACHE_LINE) iob_atomic_alloc_ptr xfree;
};
_Static_assert(sizeof(struct iob_core) % IOB_CACHE_LINE == 0, "no false sharing between cores");

struct iob_system {
    int32_t ncores;
    struct iob_core *cores;
};

struct iob_buf {
    iob_system *sys;
    struct iob_alloc *a;
    uint64_t start;
    uint64_t size;
    int32_t holder;
};

/// A fragment: bytes [start, start+size) of `a` in use, [start+size, start+capacity) slack.
struct iob_frag {
    struct iob_alloc *a;
    uint64_t start;
    uint64_t size;
    uint64_t capacity;
};

/// A chain: fragments frags[head .. head+count). `version` counts mutations (consumers check it).
struct iob_chain {
    iob_system *sys;
    struct iob_frag *frags;
    uint64_t head, count, cap;
    uint64_t size;
    uint64_t version;
    int32_t holder;
};

static inline int iob__valid_core(const iob_system *s, int32_t core) {
    return s != NULL && core >= 0 && core < s->ncores;
}

/* buffer.c */
int iob__alloc_new(iob_system *s, int32_t core, uint64_t size, struct iob_alloc **out);
void iob__ref(struct iob_alloc *a);
void iob__drop(iob_system *s, struct iob_alloc *a, int32_t dropper);
uint32_t iob__refcount(const struct iob_alloc *a);

/* core.c */
void iob__free_on_owner(iob_system *s, struct iob_alloc *a);
void iob__defer_free(iob_system *s, struct iob_alloc *a);

/* chain.c */
struct iob_frag *iob__frag(const iob_chain *c, uint64_t i);

#endif /* IOBUF_INTERNAL_H */
