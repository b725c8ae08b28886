/// \file buffer.c
/// Allocations with an atomic refcount, and buffer handles (temporary_buffer).
///
/// Refcount protocol (DESIGN.md §4, checked by the RC11 protocol catalogue):
/// increments are relaxed (a new reference is made from an existing one, so
/// nothing needs ordering); decrements are release (this core's uses of the
/// memory happen-before the decrement); the last dropper, having read 1,
/// issues an acquire fence so every other core's uses happen-before its free.
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/// A new allocation of `size` bytes owned by `core` (the caller runs on it), refcount 1.
/// \param zero whether the payload must read as zeros (calloc: fresh pages stay untouched)
static int alloc_new(iob_system *s, int32_t core, uint64_t size, int zero,
                     struct iob_alloc **out) {
    struct iob_alloc *a = zero ? calloc(1, sizeof *a + size) : malloc(sizeof *a + size);
    if (a == NULL) return IOB_ENOMEM;
    atomic_init(&a->refcount, 1);
    a->owner = core;
    a->size = size;
    a->next = NULL;
    a->reserved = 0;
    struct iob_core *c = &s->cores[core];
    IOB_TRACE(IOB_EV_CORE_STATE, c, (uint64_t)core, 0, 0, 0);
    c->live_allocations += 1;
    c->live_bytes += size;
    IOB_TRACE(IOB_EV_ALLOC, a, 0, size, 0, 0);
    *out = a;
    return IOB_OK;
}

int iob__alloc_new(iob_system *s, int32_t core, uint64_t size, struct iob_alloc **out) {
    return alloc_new(s, core, size, 0, out);
}

void iob__ref(struct iob_alloc *a) {
    uint32_t old = IOB_FETCH_ADD(REFCOUNT_INC, &a->refcount, 1, relaxed);
    if (old >= IOB_REFCOUNT_MAX) abort();
}

void iob__drop(iob_system *s, struct iob_alloc *a, int32_t dropper) {
    if (IOB_FETCH_SUB(REFCOUNT_DEC, &a->refcount, 1, release) != 1) return;
    IOB_FENCE_ON(DROP_FENCE, &a->refcount, acquire);
    if (dropper == a->owner)
        iob__free_on_owner(s, a);
    else
        iob__defer_free(s, a);
}

uint32_t iob__refcount(const struct iob_alloc *a) {
    return IOB_LOAD_U32(REFCOUNT_PEEK, &a->refcount, relaxed);
}

/// Whether [pos, pos+size) fits in [0, limit); resolves IOB_TO_END into *n.
static int span(uint64_t limit, int64_t pos, int64_t size, uint64_t *n) {
    if (pos < 0 || (uint64_t)pos > limit) return IOB_ERANGE;
    uint64_t rest = limit - (uint64_t)pos;
    if (size == IOB_TO_END) {
        *n = rest;
        return IOB_OK;
    }
    if (size < 0 || (uint64_t)size > rest) return IOB_ERANGE;
    *n = (uint64_t)size;
    return IOB_OK;
}

static int new_handle(iob_system *s, struct iob_alloc *a, uint64_t start, uint64_t size,
                      int32_t holder, iob_buf **out) {
    iob_buf *b = malloc(sizeof *b);
    if (b == NULL) return IOB_ENOMEM;
    *b = (iob_buf){.sys = s, .a = a, .start = start, .size = size, .holder = holder};
    *out = b;
    return IOB_OK;
}

int iob_alloc(iob_system *s, int32_t core, int64_t size, iob_buf **out) {
    if (!iob__valid_core(s, core) || out == NULL || size < 0) return IOB_EINVAL;
    if (size > IOB_MAX_ALLOC_SIZE) return IOB_ENOMEM;
    IOB_ON_CORE(core);
    iob_buf *b = malloc(sizeof *b);
    if (b == NULL) return IOB_ENOMEM;
    struct iob_alloc *a;
    if (alloc_new(s, core, (uint64_t)size, 1, &a) != IOB_OK) {
        free(b);
        return IOB_ENOMEM;
    }
    IOB_TRACE(IOB_EV_WRITE, a, 0, (uint64_t)size, 0, 0);
    *b = (iob_buf){.sys = s, .a = a, .start = 0, .size = (uint64_t)size, .holder = core};
    *out = b;
    return IOB_OK;
}

int iob_buf_info_get(const iob_buf *b, iob_buf_info *out) {
    if (b == NULL || out == NULL) return IOB_EINVAL;
    IOB_ON_CORE(b->holder);
    out->size = b->size;
    out->refcount = iob__refcount(b->a);
    out->owner = b->a->owner;
    out->holder = b->holder;
    return IOB_OK;
}

int iob_buf_peek(const iob_buf *b, int64_t pos, int64_t size, const uint8_t **data,
                 uint64_t *len) {
    if (b == NULL || data == NULL || len == NULL) return IOB_EINVAL;
    uint64_t n;
    int rc = span(b->size, pos, size, &n);
    if (rc != IOB_OK) return rc;
    IOB_ON_CORE(b->holder);
    IOB_TRACE(IOB_EV_READ, b->a, b->start + (uint64_t)pos, n, 0, 0);
    *data = b->a->data + b->start + (uint64_t)pos;
    *len = n;
    return IOB_OK;
}

int iob_buf_read(const iob_buf *b, int64_t pos, int64_t size, void *dst, uint64_t cap,
                 uint64_t *len) {
    if (b == NULL || len == NULL || (dst == NULL && cap != 0)) return IOB_EINVAL;
    uint64_t n;
    int rc = span(b->size, pos, size, &n);
    if (rc != IOB_OK) return rc;
    *len = n;
    if (n > cap) return IOB_ERANGE;
    IOB_ON_CORE(b->holder);
    IOB_TRACE(IOB_EV_READ, b->a, b->start + (uint64_t)pos, n, 0, 0);
    if (n) memcpy(dst, b->a->data + b->start + (uint64_t)pos, (size_t)n);
    return IOB_OK;
}

int iob_buf_write(iob_buf *b, int64_t pos, const void *data, uint64_t len) {
    if (b == NULL || (data == NULL && len != 0)) return IOB_EINVAL;
    if (len > (uint64_t)INT64_MAX) return IOB_ERANGE;
    uint64_t n;
    int rc = span(b->size, pos, (int64_t)len, &n);
    if (rc != IOB_OK) return rc;
    IOB_ON_CORE(b->holder);
    if (IOB_LOAD_U32(REFCOUNT_UNIQUE, &b->a->refcount, acquire) != 1) return IOB_ESHARED;
    IOB_TRACE(IOB_EV_WRITE, b->a, b->start + (uint64_t)pos, n, 0, 0);
    if (n) memcpy(b->a->data + b->start + (uint64_t)pos, data, (size_t)n);
    return IOB_OK;
}

int iob_buf_share(iob_buf *b, int64_t pos, int64_t size, iob_buf **out) {
    if (b == NULL || out == NULL) return IOB_EINVAL;
    uint64_t n;
    int rc = span(b->size, pos, size, &n);
    if (rc != IOB_OK) return rc;
    IOB_ON_CORE(b->holder);
    rc = new_handle(b->sys, b->a, b->start + (uint64_t)pos, n, b->holder, out);
    if (rc == IOB_OK) iob__ref(b->a);
    return rc;
}

int iob_buf_trim(iob_buf *b, int64_t size) {
    if (b == NULL) return IOB_EINVAL;
    uint64_t n;
    int rc = span(b->size, 0, size, &n);
    if (rc != IOB_OK) return rc;
    b->size = n;
    return IOB_OK;
}

int iob_buf_trim_front(iob_buf *b, int64_t n) {
    if (b == NULL) return IOB_EINVAL;
    uint64_t rest;
    int rc = span(b->size, n, IOB_TO_END, &rest);
    if (rc != IOB_OK) return rc;
    b->start += (uint64_t)n;
    b->size = rest;
    return IOB_OK;
}

int iob_buf_clone(const iob_buf *b, iob_buf **out) {
    if (b == NULL || out == NULL) return IOB_EINVAL;
    IOB_ON_CORE(b->holder);
    iob_buf *copy = malloc(sizeof *copy);
    if (copy == NULL) return IOB_ENOMEM;
    struct iob_alloc *a;
    if (iob__alloc_new(b->sys, b->holder, b->size, &a) != IOB_OK) {
        free(copy);
        return IOB_ENOMEM;
    }
    IOB_TRACE(IOB_EV_READ, b->a, b->start, b->size, 0, 0);
    IOB_TRACE(IOB_EV_WRITE, a, 0, b->size, 0, 0);
    if (b->size) memcpy(a->data, b->a->data + b->start, (size_t)b->size);
    *copy = (iob_buf){.sys = b->sys, .a = a, .start = 0, .size = b->size, .holder = b->holder};
    *out = copy;
    return IOB_OK;
}

int iob_buf_send(iob_buf *b, int32_t core, iob_buf **out) {
    if (b == NULL || out == NULL || !iob__valid_core(b->sys, core)) return IOB_EINVAL;
    IOB_ON_CORE(b->holder);
    int rc = new_handle(b->sys, b->a, b->start, b->size, core, out);
    if (rc != IOB_OK) return rc;
    IOB_TRACE(IOB_EV_SEND, *out, 0, 0, (uint64_t)b->holder, (uint64_t)core);
    free(b);  // the reference moved into *out
    return IOB_OK;
}

int iob_buf_release(iob_buf *b) {
    if (b == NULL) return IOB_EINVAL;
    IOB_ON_CORE(b->holder);
    iob__drop(b->sys, b->a, b->holder);
    free(b);
    return IOB_OK;
}
