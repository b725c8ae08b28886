/// \file consumer.c
/// A forward cursor over a chain (Redpanda's iterator_consumer + iobuf_parser).
/// It borrows the chain: no copies, no references. It remembers the chain's
/// mutation count; any later mutation, send or release makes every call
/// return IOB_ERELEASED (where Redpanda's iterator would be undefined).
/// Every read either succeeds completely or changes nothing.
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define MAX_VARINT_BYTES 10

struct iob_consumer {
    const iob_chain *chain;
    uint64_t version;
    uint64_t pos;       ///< bytes consumed
    uint64_t frag, off; ///< where `pos` is: fragment index (from the front) and offset
};

int iob_consumer_new(const iob_chain *c, iob_consumer **out) {
    if (c == NULL || out == NULL) return IOB_EINVAL;
    iob_consumer *k = malloc(sizeof *k);
    if (k == NULL) return IOB_ENOMEM;
    *k = (iob_consumer){.chain = c, .version = c->version};
    *out = k;
    return IOB_OK;
}

int iob_consumer_destroy(iob_consumer *k) {
    if (k == NULL) return IOB_EINVAL;
    free(k);
    return IOB_OK;
}

/// IOB_ERELEASED if the chain changed; else IOB_ERANGE unless 0 <= n <= left.
static int check(const iob_consumer *k, int64_t n) {
    if (k == NULL) return IOB_EINVAL;
    if (k->version != k->chain->version) return IOB_ERELEASED;
    if (n < 0 || (uint64_t)n > k->chain->size - k->pos) return IOB_ERANGE;
    IOB_ON_CORE(k->chain->holder);
    return IOB_OK;
}

int iob_consumer_position(const iob_consumer *k, uint64_t *consumed, uint64_t *left) {
    if (consumed == NULL || left == NULL) return IOB_EINVAL;
    int rc = check(k, 0);
    if (rc != IOB_OK) return rc;
    *consumed = k->pos;
    *left = k->chain->size - k->pos;
    return IOB_OK;
}

/// The contiguous bytes at the cursor (at most `max`), without moving it.
static uint64_t chunk(const iob_consumer *k, uint64_t max, const uint8_t **data) {
    if (max == 0 || k->frag >= k->chain->count) return 0;
    const struct iob_frag *f = iob__frag(k->chain, k->frag);
    uint64_t n = f->size - k->off < max ? f->size - k->off : max;
    IOB_TRACE(IOB_EV_READ, f->a, f->start + k->off, n, 0, 0);
    *data = f->a->data + f->start + k->off;
    return n;
}

static void advance(iob_consumer *k, uint64_t n) {
    k->pos += n;
    while (n) {
        uint64_t here = iob__frag(k->chain, k->frag)->size - k->off;
        uint64_t step = n < here ? n : here;
        k->off += step;
        n -= step;
        if (k->off == iob__frag(k->chain, k->frag)->size) {
            k->frag++;
            k->off = 0;
        }
    }
}

int iob_consumer_chunk(const iob_consumer *k, int64_t max, const uint8_t **data, uint64_t *len) {
    if (data == NULL || len == NULL) return IOB_EINVAL;
    int rc = check(k, max);
    if (rc != IOB_OK) return rc;
    *data = NULL;
    *len = chunk(k, (uint64_t)max, data);
    return IOB_OK;
}

int iob_consumer_consume(iob_consumer *k, int64_t n, iob_consume_fn fn, void *ctx,
                         uint64_t *done) {
    if (fn == NULL || done == NULL) return IOB_EINVAL;
    int rc = check(k, n);
    if (rc != IOB_OK) return rc;
    uint64_t left = (uint64_t)n;
    *done = 0;
    while (left) {
        const uint8_t *p = NULL;
        uint64_t m = chunk(k, left, &p);
        int stop = fn(ctx, p, m);
        advance(k, m);
        *done += m;
        left -= m;
        if (stop) break;
    }
    return IOB_OK;
}

static void copy_from(const iob_consumer *k, uint64_t n, unsigned char *dst) {
    iob_consumer tmp = *k;
    while (n) {
        const uint8_t *p = NULL;
        uint64_t m = chunk(&tmp, n, &p);
        memcpy(dst, p, (size_t)m);
        advance(&tmp, m);
        dst += m;
        n -= m;
    }
}

int iob_consumer_peek(const iob_consumer *k, int64_t n, void *dst) {
    int rc = check(k, n);
    if (rc != IOB_OK || dst == NULL) return rc;
    copy_from(k, (uint64_t)n, dst);
    return IOB_OK;
}

int iob_consumer_consume_to(iob_consumer *k, int64_t n, void *dst) {
    int rc = check(k, n);
    if (rc != IOB_OK || dst == NULL) return rc;
    copy_from(k, (uint64_t)n, dst);
    advance(k, (uint64_t)n);
    return IOB_OK;
}

int iob_consumer_skip(iob_consumer *k, int64_t n) {
    int rc = check(k, n);
    if (rc != IOB_OK) return rc;
    advance(k, (uint64_t)n);
    return IOB_OK;
}

/// Consume `width` bytes as an unsigned integer in either byte order.
static int read_uint(iob_consumer *k, int width, int big_endian, uint64_t *out) {
    if (out == NULL) return IOB_EINVAL;
    unsigned char b[8];
    int rc = iob_consumer_consume_to(k, width, b);
    if (rc != IOB_OK) return rc;
    uint64_t v = 0;
    for (int i = 0; i < width; i++) v |= (uint64_t)b[big_endian ? width - 1 - i : i] << (8 * i);
    *out = v;
    return IOB_OK;
}

#define IOB__READ(name, type, width, be)                      \
    int iob_consumer_read_##name(iob_consumer *k, type *out) { \
        uint64_t v;                                           \
        if (out == NULL) return IOB_EINVAL;                   \
        int rc = read_uint(k, width, be, &v);                 \
        if (rc == IOB_OK) *out = (type)v;                     \
        return rc;                                            \
    }
IOB__READ(u8, uint8_t, 1, 0)
IOB__READ(u16_le, uint16_t, 2, 0)
IOB__READ(u16_be, uint16_t, 2, 1)
IOB__READ(u32_le, uint32_t, 4, 0)
IOB__READ(u32_be, uint32_t, 4, 1)
IOB__READ(u64_le, uint64_t, 8, 0)
IOB__READ(u64_be, uint64_t, 8, 1)

int iob_consumer_read_varint(iob_consumer *k, uint64_t *out) {
    if (out == NULL) return IOB_EINVAL;
    int rc = check(k, 0);
    if (rc != IOB_OK) return rc;
    uint64_t left = k->chain->size - k->pos;
    int n = left < MAX_VARINT_BYTES ? (int)left : MAX_VARINT_BYTES;
    unsigned char b[MAX_VARINT_BYTES];
    copy_from(k, (uint64_t)n, b);
    uint64_t v = 0;
    for (int i = 0; i < n; i++) {
        uint64_t group = b[i] & 0x7f;
        // the 10th byte may only carry bit 63
        if (i == MAX_VARINT_BYTES - 1 && group > 1 && !(b[i] & 0x80)) return IOB_EINVAL;
        v |= group << (7 * i);
        if (!(b[i] & 0x80)) {
            advance(k, (uint64_t)i + 1);
            *out = v;
            return IOB_OK;
        }
    }
    return n == MAX_VARINT_BYTES ? IOB_EINVAL : IOB_ERANGE;
}
