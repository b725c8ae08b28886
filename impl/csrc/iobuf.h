/// \file iobuf.h
/// The ABI of libiobuf: thread-per-core buffers (Seastar's temporary_buffer),
/// fragment chains (Redpanda's iobuf) and deferred cross-core frees.
///
/// Model: a system has N cores. Memory is allocated by a core (its *owner*)
/// and is freed only by that core. A handle (`iob_buf`, `iob_chain`) lives on
/// one core (its *holder*); every call on a handle must be made by the thread
/// running its holder core. Handles move between cores only by `*_send`,
/// whose result the caller passes to the target core through its own message
/// channel (that channel must be release/acquire, as any SPSC queue is).
/// Dropping the last reference on the owner frees at once; on another core it
/// pushes the allocation onto the owner's lock-free deferred-free queue,
/// which the owner drains in `iob_core_poll`.
///
/// Conventions, for every function below:
/// - it returns an `iob_status`; on any error nothing has changed;
/// - it never aborts on bad input (only refcount overflow aborts, as Rust's
///   Arc does, because it cannot happen without a leak of 2^31 handles);
/// - positions and sizes are `int64_t`: negative or too-large values are
///   `IOB_ERANGE`, never undefined behaviour;
/// - *consumes* means the handle passed in is freed on success and must not
///   be used again (on error it is untouched); *shares* means a new
///   reference to the same memory is taken; *borrows* means the call only
///   looks at the handle for its duration.
/// - NULL handles are `IOB_EINVAL`; dangling handles are undefined (the
///   Python bindings make them impossible).
#ifndef IOBUF_H
#define IOBUF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define IOB_API __attribute__((visibility("default")))
#else
#define IOB_API
#endif

/// Error codes. Zero is success; each error maps to one class of
/// `iobuf.model.errors` (the names returned by `iob_error_name`).
typedef enum iob_status {
    IOB_OK = 0,
    IOB_ERANGE = 1,       ///< position or size outside the viewed bytes (OutOfRange)
    IOB_EINVAL = 2,       ///< argument no operation accepts (InvalidArgument)
    IOB_ESHARED = 3,      ///< write while other references exist (SharedWriteError)
    IOB_ERELEASED = 4,    ///< stale consumer: its chain changed (ReleasedHandleError)
    IOB_ENOMEM = 5,       ///< allocation failed or too large (OutOfMemory)
    IOB_EWOULDBLOCK = 6,  ///< nothing to take right now (WouldBlock)
} iob_status;

/// The ABI version; bindings refuse a library whose version differs.
IOB_API extern const uint32_t iob_abi_version;
/// Cores in a system are 1..iob_max_cores.
IOB_API extern const int64_t iob_max_cores;
/// The largest single allocation; larger requests are IOB_ENOMEM.
IOB_API extern const int64_t iob_max_alloc_size;
/// The largest fragment a chain allocates (Redpanda's allocation table cap).
IOB_API extern const int64_t iob_max_fragment;
/// Pass as a size to mean "up to the end of the view".
IOB_API extern const int64_t iob_to_end;
/// Nonzero in the traced build (iob_trace_set_callback works).
IOB_API extern const int32_t iob_traced;
/// sizeof of the public structs below, so bindings can check their mirrors.
IOB_API extern const uint32_t iob_sizeof_stats, iob_sizeof_buf_info, iob_sizeof_chain_info,
    iob_sizeof_fragment_info, iob_sizeof_trace_event;

#define IOB_TO_END INT64_MIN

typedef struct iob_system iob_system;   ///< N cores; create on one thread before starting them.
typedef struct iob_buf iob_buf;         ///< a temporary_buffer: one view, held by one core.
typedef struct iob_chain iob_chain;     ///< an iobuf: fragments held by one core.
typedef struct iob_consumer iob_consumer; ///< a cursor borrowing a chain.

/// A core's accounting. live_* are owner-only plain counters (no atomics):
/// only the owner core updates or reads them. pending_frees counts the
/// owner's deferred-free queue, which foreign cores push to concurrently.
typedef struct iob_stats {
    uint64_t live_allocations;
    uint64_t live_bytes;
    uint64_t pending_frees;
} iob_stats;

/// What a buffer handle shows: its view size, the allocation's refcount
/// (a relaxed snapshot), owner core and holder core.
typedef struct iob_buf_info {
    uint64_t size;
    uint64_t refcount;
    int32_t owner;
    int32_t holder;
} iob_buf_info;

/// What a chain shows: total bytes, number of fragments, holder core.
typedef struct iob_chain_info {
    uint64_t size;
    uint64_t fragments;
    int32_t holder;
    int32_t reserved;
} iob_chain_info;

/// One fragment of a chain: used bytes, capacity (used + slack), owner, refcount.
typedef struct iob_fragment_info {
    uint64_t size;
    uint64_t capacity;
    uint64_t refcount;
    int32_t owner;
    int32_t reserved;
} iob_fragment_info;

_Static_assert(sizeof(iob_stats) == 24, "iob_stats is three u64");
_Static_assert(sizeof(iob_buf_info) == 24, "iob_buf_info has no hidden padding");
_Static_assert(sizeof(iob_chain_info) == 24, "iob_chain_info has no hidden padding");
_Static_assert(sizeof(iob_fragment_info) == 32, "iob_fragment_info has no hidden padding");

/* ---- errors, version, sites --------------------------------------------- */

/// The name of an error code ("IOB_ERANGE", ...).
/// \param code an iob_status value
/// \param name receives a static string
/// \return IOB_EINVAL if `code` is not an iob_status. Any thread.
IOB_API int iob_error_name(int code, const char **name);

/// The number of atomic sites this library was built with.
/// \param count receives the number of rows of the site table. Any thread.
IOB_API int iob_sites_count(uint32_t *count);

/// One row of the site table: (site, operation, memory order) as declared in atomics.h.
/// \param i row number, must be < the count
/// \param site, op, order receive static strings ("refcount.dec", "fetch_sub", "release")
/// \return IOB_ERANGE if `i` is past the end. Any thread.
IOB_API int iob_site(uint32_t i, const char **site, const char **op, const char **order);

/* ---- tracing (traced build only) ----------------------------------------- */

/// Kinds of traced events.
typedef enum iob_event_kind {
    IOB_EV_ATOMIC = 1,      ///< an atomic op or fence at `site`
    IOB_EV_READ = 2,        ///< payload read: allocation `addr`, [offset, offset+length)
    IOB_EV_WRITE = 3,       ///< payload write
    IOB_EV_ALLOC = 4,       ///< a new allocation `addr` of `length` bytes
    IOB_EV_FREE = 5,        ///< allocation `addr` freed
    IOB_EV_CORE_STATE = 6,  ///< access to owner-only counters of core `offset`
    IOB_EV_SEND = 7,        ///< a handle sent from `core` to core `value_written`
} iob_event_kind;

/// What an atomic event did: a failed compare-exchange is a load, so the
/// checker needs the operation performed, not the one written at the site.
typedef enum iob_atomic_op {
    IOB_OP_NONE = 0,   ///< not an atomic event
    IOB_OP_LOAD = 1,   ///< atomic load (or a failed compare-exchange)
    IOB_OP_STORE = 2,  ///< atomic store
    IOB_OP_RMW = 3,    ///< fetch_add/fetch_sub/exchange/successful compare-exchange
    IOB_OP_FENCE = 4,  ///< atomic_thread_fence
} iob_atomic_op;

/// One traced event; `core` is the core performing it (the handle's holder,
/// or the core argument of iob_alloc/iob_core_poll/iob_core_stats).
typedef struct iob_trace_event {
    int32_t kind;
    int32_t core;
    int32_t site;          ///< row of the site table (IOB_EV_ATOMIC), else -1
    int32_t order;         ///< the memory_order actually used (IOB_EV_ATOMIC), else -1
    int32_t op;            ///< iob_atomic_op performed (IOB_EV_ATOMIC), else IOB_OP_NONE
    int32_t reserved;
    const void *addr;
    uint64_t offset;
    uint64_t length;
    uint64_t value_read;
    uint64_t value_written;
    const char *function;  ///< the C function the event happened in (static string)
} iob_trace_event;
_Static_assert(sizeof(iob_trace_event) == 72, "iob_trace_event layout");

/// Receives every traced event, synchronously, on the thread that caused it.
typedef void (*iob_trace_fn)(const iob_trace_event *event);

/// Register (or with NULL, remove) the trace callback.
/// \param fn the callback; it must not call back into the library
/// \return IOB_EINVAL in a build without tracing. Call before any core runs.
IOB_API int iob_trace_set_callback(iob_trace_fn fn);

/* ---- system and cores (core.c) ------------------------------------------- */

/// Create a system of `ncores` idle cores.
/// \param ncores must be in 1..iob_max_cores
/// \param out receives the system
/// \return IOB_EINVAL for a bad count, IOB_ENOMEM. Call before the cores run.
IOB_API int iob_system_new(int32_t ncores, iob_system **out);

/// Destroy a quiescent system (consumes it): drains every queue first.
/// \param s the system; every handle must have been released
/// \return IOB_EWOULDBLOCK (and nothing destroyed) if memory is still live.
/// Call after the cores have stopped.
IOB_API int iob_system_destroy(iob_system *s);

/// The number of cores. \param ncores receives it. Any thread.
IOB_API int iob_system_cores(const iob_system *s, int32_t *ncores);

/// Free every allocation foreign cores queued for `core` (acquire exchange of the queue).
/// \param core must be a core of `s`; call on that core only
/// \param freed receives how many allocations were freed (may be NULL)
IOB_API int iob_core_poll(iob_system *s, int32_t core, uint64_t *freed);

/// The accounting of `core` (borrows). Call on that core only (owner-only counters).
/// \param out receives live allocations/bytes and the length of the deferred-free queue
IOB_API int iob_core_stats(iob_system *s, int32_t core, iob_stats *out);

/* ---- buffers (buffer.c) -------------------------------------------------- */

/// Allocate `size` zero-filled bytes owned and held by `core`, refcount 1.
/// \param size must be >= 0 (else IOB_EINVAL) and <= iob_max_alloc_size (else IOB_ENOMEM)
/// \param out receives the new handle. Call on `core`.
IOB_API int iob_alloc(iob_system *s, int32_t core, int64_t size, iob_buf **out);

/// Describe a handle (borrows; the refcount is a relaxed snapshot). Call on the holder.
/// \param out receives size, refcount, owner, holder.
IOB_API int iob_buf_info_get(const iob_buf *b, iob_buf_info *out);

/// A pointer to the bytes [pos, pos+size) of the view (borrows).
/// \param pos must be <= the view size; \param size must be <= size - pos, or IOB_TO_END
/// \param data receives a pointer valid until the handle is released or written
/// \param len receives the byte count. Call on the holder.
IOB_API int iob_buf_peek(const iob_buf *b, int64_t pos, int64_t size, const uint8_t **data,
                         uint64_t *len);

/// Copy the bytes [pos, pos+size) of the view into `dst` (borrows): a peek and
/// its copy in one call, for bindings whose every call is expensive.
/// \param pos, size as for iob_buf_peek (size may be IOB_TO_END)
/// \param dst holds `cap` bytes; \param len receives the byte count. IOB_ERANGE
/// if the range is not in the view, or if the count exceeds `cap` (then `len`
/// still receives it and nothing is copied). Call on the holder.
IOB_API int iob_buf_read(const iob_buf *b, int64_t pos, int64_t size, void *dst, uint64_t cap,
                         uint64_t *len);

/// Overwrite `len` bytes at `pos` (borrows).
/// \param pos with pos + len <= the view size (else IOB_ERANGE)
/// \return IOB_ESHARED while the allocation's refcount is above 1 (an acquire
/// load, so writes of earlier droppers happen-before ours). Call on the holder.
IOB_API int iob_buf_write(iob_buf *b, int64_t pos, const void *data, uint64_t len);

/// A new handle viewing [pos, pos+size) of the same memory (shares; refcount + 1).
/// \param size may be IOB_TO_END. Call on the holder; the new handle has the same holder.
IOB_API int iob_buf_share(iob_buf *b, int64_t pos, int64_t size, iob_buf **out);

/// Keep only the first `size` bytes of this view (borrows). \param size must be <= the size.
/// Call on the holder.
IOB_API int iob_buf_trim(iob_buf *b, int64_t size);

/// Drop the first `n` bytes of this view (borrows). \param n must be <= the size.
/// Call on the holder.
IOB_API int iob_buf_trim_front(iob_buf *b, int64_t n);

/// A deep copy owned and held by the holder (borrows `b`). Call on the holder.
IOB_API int iob_buf_clone(const iob_buf *b, iob_buf **out);

/// Move the handle to `core` (consumes `b`; the reference moves into `*out`).
/// \param core must be a core of the system. Call on the holder; give `*out`
/// to `core` through a release/acquire channel.
IOB_API int iob_buf_send(iob_buf *b, int32_t core, iob_buf **out);

/// Drop the handle (consumes): refcount - 1 (release); the last dropper
/// issues an acquire fence and frees on the owner or pushes to its queue.
/// Call on the holder.
IOB_API int iob_buf_release(iob_buf *b);

/* ---- chains (chain.c) ---------------------------------------------------- */

/// A new empty chain held by `core`. Call on `core`.
IOB_API int iob_chain_new(iob_system *s, int32_t core, iob_chain **out);

/// Size, fragment count and holder (borrows). Call on the holder.
IOB_API int iob_chain_info_get(const iob_chain *c, iob_chain_info *out);

/// Describe the fragments (borrows; refcounts are relaxed snapshots). Call on the holder.
/// \param out array of `cap` entries (may be NULL when cap is 0)
/// \param n receives the number of fragments; IOB_ERANGE if cap < n (nothing written)
IOB_API int iob_chain_fragments(const iob_chain *c, iob_fragment_info *out, uint64_t cap,
                                uint64_t *n);

/// Copy [pos, pos+size) into `dst` (borrows).
/// \param size may be IOB_TO_END; \param dst may be NULL to only validate
/// \param n receives the byte count; `dst` must hold that many. Call on the holder.
IOB_API int iob_chain_read(const iob_chain *c, int64_t pos, int64_t size, void *dst,
                           uint64_t *n);

/// Copy `len` bytes onto the end (borrows `data`): the last fragment's slack
/// first (even when that fragment is shared: sharers view only used bytes),
/// then new fragments of capacity next(max(left, last capacity or 512)) from
/// the allocation table, owned by the holder. Call on the holder.
IOB_API int iob_chain_append(iob_chain *c, const void *data, uint64_t len);

/// Append buffer `b` (consumes `b`): copied when its size <= the last
/// fragment's capacity (512 if empty) and < iob_max_fragment, else its memory
/// becomes a new fragment (zero-copy). Empty buffers are just dropped.
/// \return IOB_EINVAL if `b` is held by another core than `c`.
IOB_API int iob_chain_append_buffer(iob_chain *c, iob_buf *b);

/// Put buffer `b` in front as a new fragment (consumes `b`; zero-copy).
/// \return IOB_EINVAL if `b` is held by another core than `c`.
IOB_API int iob_chain_prepend_buffer(iob_chain *c, iob_buf *b);

/// Share every fragment of `other` onto the end of `c` (shares; `other` may be `c`).
/// \return IOB_EINVAL if the holders differ.
IOB_API int iob_chain_append_fragments(iob_chain *c, const iob_chain *other);

/// Move the fragments of `other` in front of `c`'s (consumes `other`).
/// \return IOB_EINVAL if other == c or the holders differ.
IOB_API int iob_chain_prepend(iob_chain *c, iob_chain *other);

/// A new chain viewing [pos, pos+size) without copying (shares; one reference per fragment).
/// \param pos, size with pos + size <= the chain size (else IOB_ERANGE)
IOB_API int iob_chain_share(const iob_chain *c, int64_t pos, int64_t size, iob_chain **out);

/// A deep copy owned by the holder: fragments sized exactly up to 16384 bytes,
/// above that the largest power of two not above what remains, capped (borrows `c`).
IOB_API int iob_chain_copy(const iob_chain *c, iob_chain **out);

/// Drop the first `n` bytes (all of them when n exceeds the size). \param n must be >= 0.
IOB_API int iob_chain_trim_front(iob_chain *c, int64_t n);

/// Drop the last `n` bytes (all when n exceeds the size); a fragment cut inside
/// loses its slack (see model/chain.py). \param n must be >= 0.
IOB_API int iob_chain_trim_back(iob_chain *c, int64_t n);

/// Drop the first fragment. \return IOB_ERANGE when empty.
IOB_API int iob_chain_pop_front(iob_chain *c);

/// Drop the last fragment. \return IOB_ERANGE when empty.
IOB_API int iob_chain_pop_back(iob_chain *c);

/// Compare bytes, unsigned lexicographically (borrows both).
/// \param cmp receives <0, 0 or >0. Both chains must be readable by the caller's core.
IOB_API int iob_chain_compare(const iob_chain *a, const iob_chain *b, int32_t *cmp);

/// `hexdump -Cv`-style text of the first `limit` bytes (borrows).
/// \param limit must be >= 0 (else IOB_EINVAL)
/// \param dst may be NULL to only compute the length; else it holds `cap` bytes
/// \param n receives the text length (no terminator); IOB_ERANGE if cap < n (then
/// `dst` holds an unspecified prefix). Call on the holder.
IOB_API int iob_chain_hexdump(const iob_chain *c, int64_t limit, char *dst, uint64_t cap,
                              uint64_t *n);

/// Move the chain to `core` (consumes `c`). \param core must be a core of the system.
IOB_API int iob_chain_send(iob_chain *c, int32_t core, iob_chain **out);

/// Drop the chain and its fragment references (consumes). Call on the holder.
IOB_API int iob_chain_release(iob_chain *c);

/* ---- consumer (consumer.c) ----------------------------------------------- */

/// Called per contiguous chunk; return nonzero to stop after this chunk.
typedef int (*iob_consume_fn)(void *ctx, const uint8_t *data, uint64_t len);

/// A cursor at the front of `c` (borrows `c`, which must outlive every use of
/// the cursor). Any later mutation of `c` makes the cursor return
/// IOB_ERELEASED; after a send or release of `c` the cursor may only be
/// destroyed. Use it on the chain's holder.
IOB_API int iob_consumer_new(const iob_chain *c, iob_consumer **out);

/// Free a cursor (consumes it; the chain is untouched, and may already be gone).
IOB_API int iob_consumer_destroy(iob_consumer *k);

/// Bytes consumed and left. \return IOB_ERELEASED if the chain changed.
IOB_API int iob_consumer_position(const iob_consumer *k, uint64_t *consumed, uint64_t *left);

/// The next contiguous chunk of at most `max` bytes, without consuming it.
/// \param max must be in [0, left]; \param data, len receive the chunk (len 0 at the end)
IOB_API int iob_consumer_chunk(const iob_consumer *k, int64_t max, const uint8_t **data,
                               uint64_t *len);

/// Pass the next `n` bytes to `fn` chunk by chunk; stop after a chunk when it returns nonzero.
/// \param n must be in [0, left]; \param done receives bytes consumed (that chunk included)
IOB_API int iob_consumer_consume(iob_consumer *k, int64_t n, iob_consume_fn fn, void *ctx,
                                 uint64_t *done);

/// Copy the next `n` bytes to `dst` without consuming (dst may be NULL to only validate).
IOB_API int iob_consumer_peek(const iob_consumer *k, int64_t n, void *dst);

/// Copy the next `n` bytes to `dst` and consume them (dst may be NULL to only validate).
IOB_API int iob_consumer_consume_to(iob_consumer *k, int64_t n, void *dst);

/// Consume `n` bytes without reading them. \param n must be in [0, left].
IOB_API int iob_consumer_skip(iob_consumer *k, int64_t n);

/// Consume one byte. \return IOB_ERANGE (nothing consumed) if none is left.
IOB_API int iob_consumer_read_u8(iob_consumer *k, uint8_t *out);
/// Consume 2 bytes, little-endian.
IOB_API int iob_consumer_read_u16_le(iob_consumer *k, uint16_t *out);
/// Consume 2 bytes, big-endian.
IOB_API int iob_consumer_read_u16_be(iob_consumer *k, uint16_t *out);
/// Consume 4 bytes, little-endian.
IOB_API int iob_consumer_read_u32_le(iob_consumer *k, uint32_t *out);
/// Consume 4 bytes, big-endian.
IOB_API int iob_consumer_read_u32_be(iob_consumer *k, uint32_t *out);
/// Consume 8 bytes, little-endian.
IOB_API int iob_consumer_read_u64_le(iob_consumer *k, uint64_t *out);
/// Consume 8 bytes, big-endian.
IOB_API int iob_consumer_read_u64_be(iob_consumer *k, uint64_t *out);

/// Consume an unsigned LEB128 varint (7 bits per byte, low group first, high
/// bit = more follow; at most 10 bytes, value below 2^64).
/// \return IOB_ERANGE if the bytes end inside it, IOB_EINVAL if it is longer
/// than 10 bytes or overflows 64 bits; either way nothing is consumed.
IOB_API int iob_consumer_read_varint(iob_consumer *k, uint64_t *out);

#ifdef __cplusplus
}
#endif
#endif /* IOBUF_H */
