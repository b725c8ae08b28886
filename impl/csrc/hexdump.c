/// \file hexdump.c
/// `hexdump -Cv`-style text of a chain (no `*` squeezing), as model/hexdump.py:
/// lines of `offset  8 hex bytes  8 hex bytes  |ascii|`, then the offset one
/// past the last byte shown, then "... N more bytes" when the limit cut some.
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define LINE 16

/// Append `len` bytes to the output if there is room; always count them.
struct out {
    char *dst;
    uint64_t cap, n;
};

static void put(struct out *o, const char *s, size_t len) {
    if (o->dst && o->n + len <= o->cap) memcpy(o->dst + o->n, s, len);
    o->n += len;
}

static void line(struct out *o, uint64_t off, const unsigned char *b, size_t k) {
    char buf[96];
    int w = snprintf(buf, sizeof buf, "%08" PRIx64 " ", off);
    for (size_t i = 0; i < LINE; i++) {
        if (i == 8) buf[w++] = ' ';
        if (i < k)
            w += snprintf(buf + w, sizeof buf - (size_t)w, " %02x", b[i]);
        else
            w += snprintf(buf + w, sizeof buf - (size_t)w, "   ");
    }
    buf[w++] = ' ';
    buf[w++] = ' ';
    buf[w++] = '|';
    for (size_t i = 0; i < k; i++) buf[w++] = (b[i] >= 0x20 && b[i] < 0x7f) ? (char)b[i] : '.';
    buf[w++] = '|';
    buf[w++] = '\n';
    put(o, buf, (size_t)w);
}

int iob_chain_hexdump(const iob_chain *c, int64_t limit, char *dst, uint64_t cap, uint64_t *n) {
    if (c == NULL || n == NULL || limit < 0) return IOB_EINVAL;
    IOB_ON_CORE(c->holder);
    uint64_t shown = (uint64_t)limit < c->size ? (uint64_t)limit : c->size;
    struct out o = {dst, cap, 0};
    unsigned char row[LINE];
    for (uint64_t off = 0; off < shown; off += LINE) {
        size_t k = (size_t)(shown - off < LINE ? shown - off : LINE);
        uint64_t got;
        iob_chain_read(c, (int64_t)off, (int64_t)k, row, &got);
        line(&o, off, row, k);
    }
    char buf[64];
    int w = snprintf(buf, sizeof buf, "%08" PRIx64, shown);
    put(&o, buf, (size_t)w);
    if (c->size > shown) {
        w = snprintf(buf, sizeof buf, "\n... %" PRIu64 " more bytes", c->size - shown);
        put(&o, buf, (size_t)w);
    }
    *n = o.n;
    if (dst != NULL && o.n > cap) return IOB_ERANGE;
    return IOB_OK;
}
