/// \file atomics.h
/// The only place atomic operations happen. Every call site names its *site*
/// (a row of the table below) and its memory order, e.g.
///     IOB_FETCH_SUB(REFCOUNT_DEC, &a->refcount, 1, release)
/// The table (IOB_SITES) is what the library exports with `iob_site`: the
/// orders it *declares*. The order passed at the call site is the one the
/// code *uses*; the traced build (-DIOB_TRACED) reports the used order with
/// every operation (and the C function it ran in: the macros pass __func__),
/// so a call site that disagrees with its row is caught on the real code
/// path rather than trusted.
#ifndef IOBUF_ATOMICS_H
#define IOBUF_ATOMICS_H

#include <stdatomic.h>
#include <stdint.h>

#include "iobuf.h"

/// X(ID, site name, operation, declared order)
#define IOB_SITES(X)                                                     \
    X(REFCOUNT_INC, "refcount.inc", "fetch_add", relaxed)                \
    X(REFCOUNT_DEC, "refcount.dec", "fetch_sub", release)                \
    X(DROP_FENCE, "drop.fence", "fence", acquire)                        \
    X(REFCOUNT_UNIQUE, "refcount.unique", "load", acquire)               \
    X(REFCOUNT_PEEK, "refcount.peek", "load", relaxed)                   \
    X(XFREE_HEAD, "xfree.head", "load", relaxed)                         \
    X(XFREE_PUSH, "xfree.push", "compare_exchange", release)             \
    X(XFREE_DRAIN, "xfree.drain", "exchange", acquire)                   \
    X(XFREE_PEEK, "xfree.peek", "load", acquire)

#define IOB__SITE_ENUM(id, name, op, order) IOB_SITE_##id,
typedef enum iob_site_id { IOB_SITES(IOB__SITE_ENUM) IOB_SITE_COUNT } iob_site_id;
#undef IOB__SITE_ENUM

#ifdef IOB_TRACED
/// The core doing the current call (set by each entry point; traced build only).
extern _Thread_local int32_t iob__trace_core;
void iob__trace_emit(int32_t kind, int32_t site, int32_t order, int32_t op, const void *addr,
                     uint64_t offset, uint64_t length, uint64_t read, uint64_t written,
                     const char *function);
#define IOB_ON_CORE(core) (iob__trace_core = (int32_t)(core))
#define IOB_TRACE(kind, addr, offset, length, read, written)                              \
    iob__trace_emit((kind), -1, -1, IOB_OP_NONE, (addr), (offset), (length), (read), (written), \
                    __func__)
#define IOB__TRACE_ATOMIC(site, order, op, addr, read, written)                            \
    iob__trace_emit(IOB_EV_ATOMIC, (site), (int32_t)(order), (op), (addr), 0, 0, (read),   \
                    (written), fn)
#else
#define IOB_ON_CORE(core) ((void)0)
#define IOB_TRACE(kind, addr, offset, length, read, written) ((void)0)
#define IOB__TRACE_ATOMIC(site, order, op, addr, read, written) ((void)(fn))
#endif

typedef _Atomic uint32_t iob_atomic_u32;
struct iob_alloc;
typedef struct iob_alloc *_Atomic iob_atomic_alloc_ptr;

static inline uint32_t iob__fetch_add_u32(const char *fn, iob_site_id site, iob_atomic_u32 *p,
                                          uint32_t v, memory_order o) {
    uint32_t old = atomic_fetch_add_explicit(p, v, o);
    IOB__TRACE_ATOMIC(site, o, IOB_OP_RMW, (const void *)p, old, (uint64_t)old + v);
    (void)site;
    return old;
}

static inline uint32_t iob__fetch_sub_u32(const char *fn, iob_site_id site, iob_atomic_u32 *p,
                                          uint32_t v, memory_order o) {
    uint32_t old = atomic_fetch_sub_explicit(p, v, o);
    IOB__TRACE_ATOMIC(site, o, IOB_OP_RMW, (const void *)p, old, (uint64_t)(old - v));
    (void)site;
    return old;
}

static inline uint32_t iob__load_u32(const char *fn, iob_site_id site, const iob_atomic_u32 *p,
                                     memory_order o) {
    uint32_t v = atomic_load_explicit((iob_atomic_u32 *)p, o);
    IOB__TRACE_ATOMIC(site, o, IOB_OP_LOAD, (const void *)p, v, 0);
    (void)site;
    return v;
}

/// A fence that synchronises through `p`. ThreadSanitizer does not model
/// fences, so under TSan it becomes a load of `p` with the same order (what
/// Rust's Arc does): equivalent here, since the fence follows a read of `p`.
static inline void iob__fence_on(const char *fn, iob_site_id site, iob_atomic_u32 *p,
                                 memory_order o) {
#if defined(__SANITIZE_THREAD__)
    (void)atomic_load_explicit(p, o);
#else
    atomic_thread_fence(o);
#endif
    IOB__TRACE_ATOMIC(site, o, IOB_OP_FENCE, (const void *)p, 0, 0);
    (void)site;
    (void)p;
}

static inline struct iob_alloc *iob__load_ptr(const char *fn, iob_site_id site,
                                              iob_atomic_alloc_ptr *p, memory_order o) {
    struct iob_alloc *v = atomic_load_explicit(p, o);
    IOB__TRACE_ATOMIC(site, o, IOB_OP_LOAD, (const void *)p, (uint64_t)(uintptr_t)v, 0);
    (void)site;
    return v;
}

static inline int iob__cas_weak_ptr(const char *fn, iob_site_id site,
                                    iob_atomic_alloc_ptr *p, struct iob_alloc **expected,
                                    struct iob_alloc *desired,
                                    memory_order ok, memory_order fail) {
    struct iob_alloc *seen = *expected;
    int done = atomic_compare_exchange_weak_explicit(p, expected, desired, ok, fail);
    IOB__TRACE_ATOMIC(site, done ? ok : fail, done ? IOB_OP_RMW : IOB_OP_LOAD,
                      (const void *)p, (uint64_t)(uintptr_t)(done ? seen : *expected),
                      done ? (uint64_t)(uintptr_t)desired : 0);
    (void)site;
    (void)seen;
    return done;
}

static inline struct iob_alloc *iob__exchange_ptr(const char *fn, iob_site_id site,
                                                  iob_atomic_alloc_ptr *p, struct iob_alloc *v,
                                                  memory_order o) {
    struct iob_alloc *old = atomic_exchange_explicit(p, v, o);
    IOB__TRACE_ATOMIC(site, o, IOB_OP_RMW, (const void *)p, (uint64_t)(uintptr_t)old,
                      (uint64_t)(uintptr_t)v);
    (void)site;
    return old;
}

/* The call-site macros: IOB_<OP>(SITE, args..., order words). */
#define IOB_FETCH_ADD(site, p, v, order) \
    iob__fetch_add_u32(__func__, IOB_SITE_##site, (p), (v), memory_order_##order)
#define IOB_FETCH_SUB(site, p, v, order) \
    iob__fetch_sub_u32(__func__, IOB_SITE_##site, (p), (v), memory_order_##order)
#define IOB_LOAD_U32(site, p, order) \
    iob__load_u32(__func__, IOB_SITE_##site, (p), memory_order_##order)
#define IOB_FENCE_ON(site, p, order) \
    iob__fence_on(__func__, IOB_SITE_##site, (p), memory_order_##order)
#define IOB_LOAD_PTR(site, p, order) \
    iob__load_ptr(__func__, IOB_SITE_##site, (p), memory_order_##order)
#define IOB_CAS_WEAK_PTR(site, p, expected, desired, ok, fail)                      \
    iob__cas_weak_ptr(__func__, IOB_SITE_##site, (p), (expected), (desired),      \
                      memory_order_##ok, memory_order_##fail)
#define IOB_EXCHANGE_PTR(site, p, v, order) \
    iob__exchange_ptr(__func__, IOB_SITE_##site, (p), (v), memory_order_##order)

#endif /* IOBUF_ATOMICS_H */
