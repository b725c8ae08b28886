/// \file chain.c
/// The fragment chain (Redpanda's iobuf, src/v/bytes/, Dec 2024), following
/// model/chain.py: the allocation table and next(), tail-slack filling,
/// append_buffer's copy-or-adopt rule, copy() sizing, share splitting, trims
/// and pops. Each fragment holds one reference on its allocation; dropping
/// it goes through iob__drop, so a chain released on a foreign core defers
/// its frees to the owners exactly as buffers do.
///
/// Fragments live in an array used as a deque (frags[head .. head+count)).
/// Every mutation first reserves what it needs (array space, allocations),
/// so a failure (IOB_ENOMEM) leaves the chain as it was.
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const uint64_t allocation_table[] = {512,   768,   1280,  1792,  2560,  3584,  6144,
                                            8192,  12288, 16384, 32768, 65536, 131072};
#define TABLE_LEN (sizeof allocation_table / sizeof *allocation_table)
_Static_assert(sizeof allocation_table / sizeof *allocation_table == 13, "Redpanda's table");
#define DEFAULT_LAST 512
#define COPY_EXACT_LIMIT 16384

/// The first table entry strictly greater than x, capped at the last entry.
static uint64_t next_allocation(uint64_t x) {
    for (size_t i = 0; i < TABLE_LEN; i++)
        if (allocation_table[i] > x) return allocation_table[i];
    return IOB_MAX_FRAGMENT;
}

static uint64_t copy_fragment_size(uint64_t left) {
    if (left <= COPY_EXACT_LIMIT) return left;
    uint64_t p = 1;
    while (p <= left / 2) p *= 2;
    return p < IOB_MAX_FRAGMENT ? p : IOB_MAX_FRAGMENT;
}

struct iob_frag *iob__frag(const iob_chain *c, uint64_t i) { return &c->frags[c->head + i]; }

static uint64_t last_capacity(const iob_chain *c) {
    return c->count ? iob__frag(c, c->count - 1)->capacity : DEFAULT_LAST;
}

/// Make room for `more` fragments at the back and `front` at the front.
static int reserve(iob_chain *c, uint64_t more, uint64_t front) {
    if (c->head >= front && c->head + c->count + more <= c->cap) return IOB_OK;
    uint64_t need = front + c->count + more;
    uint64_t cap = c->cap ? c->cap : 4;
    while (cap < need) cap *= 2;
    uint64_t head = front ? front + (cap - need) / 2 : 0;  // headroom for more prepends
    if (cap == c->cap) {
        memmove(c->frags + head, c->frags + c->head, c->count * sizeof *c->frags);
        c->head = head;
        return IOB_OK;
    }
    struct iob_frag *f = malloc(cap * sizeof *f);
    if (f == NULL) return IOB_ENOMEM;
    if (c->count) memcpy(f + head, c->frags + c->head, c->count * sizeof *f);
    free(c->frags);
    c->frags = f;
    c->head = head;
    c->cap = cap;
    return IOB_OK;
}

static void push_back(iob_chain *c, struct iob_frag f) {
    c->frags[c->head + c->count++] = f;
    c->size += f.size;
}

static void push_front(iob_chain *c, struct iob_frag f) {
    c->frags[--c->head] = f;
    c->count++;
    c->size += f.size;
}

static void drop_front(iob_chain *c) {
    struct iob_frag *f = iob__frag(c, 0);
    c->size -= f->size;
    iob__drop(c->sys, f->a, c->holder);
    c->head++;
    c->count--;
}

static void drop_back(iob_chain *c) {
    struct iob_frag *f = iob__frag(c, c->count - 1);
    c->size -= f->size;
    iob__drop(c->sys, f->a, c->holder);
    c->count--;
}

static int chain_alloc(iob_system *s, int32_t holder, iob_chain **out) {
    iob_chain *c = malloc(sizeof *c);
    if (c == NULL) return IOB_ENOMEM;
    *c = (iob_chain){.sys = s, .holder = holder};
    *out = c;
    return IOB_OK;
}

static void chain_free(iob_chain *c) {
    free(c->frags);
    free(c);
}

int iob_chain_new(iob_system *s, int32_t core, iob_chain **out) {
    if (!iob__valid_core(s, core) || out == NULL) return IOB_EINVAL;
    return chain_alloc(s, core, out);
}

int iob_chain_info_get(const iob_chain *c, iob_chain_info *out) {
    if (c == NULL || out == NULL) return IOB_EINVAL;
    *out = (iob_chain_info){.size = c->size, .fragments = c->count, .holder = c->holder};
    return IOB_OK;
}

int iob_chain_fragments(const iob_chain *c, iob_fragment_info *out, uint64_t cap, uint64_t *n) {
    if (c == NULL || n == NULL || (out == NULL && cap != 0)) return IOB_EINVAL;
    *n = c->count;
    if (cap < c->count) return IOB_ERANGE;
    IOB_ON_CORE(c->holder);
    for (uint64_t i = 0; i < c->count; i++) {
        const struct iob_frag *f = iob__frag(c, i);
        out[i] = (iob_fragment_info){.size = f->size, .capacity = f->capacity,
                                     .refcount = iob__refcount(f->a), .owner = f->a->owner};
    }
    return IOB_OK;
}

/// Copy [pos, pos+n) of the chain to dst (the range is valid).
static void copy_out(const iob_chain *c, uint64_t pos, uint64_t n, unsigned char *dst) {
    for (uint64_t i = 0; i < c->count && n; i++) {
        const struct iob_frag *f = iob__frag(c, i);
        if (pos >= f->size) {
            pos -= f->size;
            continue;
        }
        uint64_t k = f->size - pos < n ? f->size - pos : n;
        IOB_TRACE(IOB_EV_READ, f->a, f->start + pos, k, 0, 0);
        memcpy(dst, f->a->data + f->start + pos, (size_t)k);
        dst += k;
        n -= k;
        pos = 0;
    }
}

int iob_chain_read(const iob_chain *c, int64_t pos, int64_t size, void *dst, uint64_t *n) {
    if (c == NULL || n == NULL) return IOB_EINVAL;
    if (pos < 0 || (uint64_t)pos > c->size) return IOB_ERANGE;
    uint64_t rest = c->size - (uint64_t)pos;
    if (size != IOB_TO_END && (size < 0 || (uint64_t)size > rest)) return IOB_ERANGE;
    *n = size == IOB_TO_END ? rest : (uint64_t)size;
    if (dst == NULL) return IOB_OK;
    IOB_ON_CORE(c->holder);
    copy_out(c, (uint64_t)pos, *n, dst);
    return IOB_OK;
}

/// Write `len` bytes into the last fragment's slack and then new fragments
/// (whose allocations `fresh[0..nfresh)` have been reserved by the caller).
static void fill(iob_chain *c, const unsigned char *data, uint64_t len, struct iob_frag *fresh,
                 uint64_t nfresh) {
    if (c->count && len) {
        struct iob_frag *last = iob__frag(c, c->count - 1);
        uint64_t slack = last->capacity - last->size;
        uint64_t k = slack < len ? slack : len;
        if (k) {
            IOB_TRACE(IOB_EV_WRITE, last->a, last->start + last->size, k, 0, 0);
            memmove(last->a->data + last->start + last->size, data, (size_t)k);
            last->size += k;
            c->size += k;
            data += k;
            len -= k;
        }
    }
    for (uint64_t i = 0; i < nfresh; i++) {
        struct iob_frag f = fresh[i];
        f.size = f.capacity < len ? f.capacity : len;
        IOB_TRACE(IOB_EV_WRITE, f.a, 0, f.size, 0, 0);
        memcpy(f.a->data, data, (size_t)f.size);
        data += f.size;
        len -= f.size;
        push_back(c, f);
    }
}

/// Allocate the new fragments an append of `len` bytes needs after the slack.
static int plan_append(iob_chain *c, uint64_t len, struct iob_frag **fresh, uint64_t *nfresh) {
    uint64_t slack = c->count ? iob__frag(c, c->count - 1)->capacity - iob__frag(c, c->count - 1)->size : 0;
    uint64_t left = len > slack ? len - slack : 0;
    uint64_t last = last_capacity(c), n = 0;
    for (uint64_t l = left, cap = last; l;) {
        cap = next_allocation(l > cap ? l : cap);
        l -= cap < l ? cap : l;
        n++;
    }
    *nfresh = n;
    *fresh = NULL;
    if (n == 0) return IOB_OK;
    if (reserve(c, n, 0) != IOB_OK) return IOB_ENOMEM;
    struct iob_frag *f = malloc(n * sizeof *f);
    if (f == NULL) return IOB_ENOMEM;
    for (uint64_t i = 0, l = left, cap = last; i < n; i++) {
        cap = next_allocation(l > cap ? l : cap);
        l -= cap < l ? cap : l;
        f[i] = (struct iob_frag){.start = 0, .size = 0, .capacity = cap};
        if (iob__alloc_new(c->sys, c->holder, cap, &f[i].a) != IOB_OK) {
            while (i--) iob__drop(c->sys, f[i].a, c->holder);
            free(f);
            return IOB_ENOMEM;
        }
    }
    *fresh = f;
    return IOB_OK;
}

static int append_bytes(iob_chain *c, const unsigned char *data, uint64_t len) {
    struct iob_frag *fresh;
    uint64_t nfresh;
    int rc = plan_append(c, len, &fresh, &nfresh);
    if (rc != IOB_OK) return rc;
    fill(c, data, len, fresh, nfresh);
    free(fresh);
    return IOB_OK;
}

int iob_chain_append(iob_chain *c, const void *data, uint64_t len) {
    if (c == NULL || (data == NULL && len != 0)) return IOB_EINVAL;
    IOB_ON_CORE(c->holder);
    int rc = append_bytes(c, data, len);
    if (rc == IOB_OK) c->version++;
    return rc;
}

int iob_chain_append_buffer(iob_chain *c, iob_buf *b) {
    if (c == NULL || b == NULL || b->holder != c->holder || b->sys != c->sys) return IOB_EINVAL;
    IOB_ON_CORE(c->holder);
    if (b->size && b->size <= last_capacity(c) && b->size < IOB_MAX_FRAGMENT) {
        IOB_TRACE(IOB_EV_READ, b->a, b->start, b->size, 0, 0);
        int rc = append_bytes(c, b->a->data + b->start, b->size);
        if (rc != IOB_OK) return rc;
        iob__drop(c->sys, b->a, c->holder);
    } else if (b->size) {
        if (reserve(c, 1, 0) != IOB_OK) return IOB_ENOMEM;
        // the buffer's reference moves into the chain
        push_back(c, (struct iob_frag){b->a, b->start, b->size, b->size});
    } else {
        iob__drop(c->sys, b->a, c->holder);
    }
    free(b);
    c->version++;
    return IOB_OK;
}

int iob_chain_prepend_buffer(iob_chain *c, iob_buf *b) {
    if (c == NULL || b == NULL || b->holder != c->holder || b->sys != c->sys) return IOB_EINVAL;
    IOB_ON_CORE(c->holder);
    if (b->size) {
        if (reserve(c, 0, 1) != IOB_OK) return IOB_ENOMEM;
        // the buffer's reference moves into the chain
        push_front(c, (struct iob_frag){b->a, b->start, b->size, b->size});
    } else {
        iob__drop(c->sys, b->a, c->holder);
    }
    free(b);
    c->version++;
    return IOB_OK;
}

int iob_chain_append_fragments(iob_chain *c, const iob_chain *other) {
    if (c == NULL || other == NULL || c->holder != other->holder || c->sys != other->sys)
        return IOB_EINVAL;
    IOB_ON_CORE(c->holder);
    uint64_t n = other->count;  // before growing: `other` may be `c`
    if (reserve(c, n, 0) != IOB_OK) return IOB_ENOMEM;
    for (uint64_t i = 0; i < n; i++) {
        struct iob_frag f = *iob__frag(other, i);
        iob__ref(f.a);
        f.capacity = f.size;  // a shared fragment has no slack
        push_back(c, f);
    }
    c->version++;
    return IOB_OK;
}

int iob_chain_prepend(iob_chain *c, iob_chain *other) {
    if (c == NULL || other == NULL || c == other || c->holder != other->holder ||
        c->sys != other->sys)
        return IOB_EINVAL;
    IOB_ON_CORE(c->holder);
    if (reserve(c, 0, other->count) != IOB_OK) return IOB_ENOMEM;
    // the references move from `other` into `c`
    for (uint64_t i = other->count; i-- > 0;) push_front(c, *iob__frag(other, i));
    chain_free(other);
    c->version++;
    return IOB_OK;
}

int iob_chain_share(const iob_chain *c, int64_t pos, int64_t size, iob_chain **out) {
    if (c == NULL || out == NULL) return IOB_EINVAL;
    if (pos < 0 || size < 0 || (uint64_t)pos > c->size || (uint64_t)size > c->size - (uint64_t)pos)
        return IOB_ERANGE;
    IOB_ON_CORE(c->holder);
    uint64_t p = (uint64_t)pos, left = (uint64_t)size, first = 0, n = 0;
    while (first < c->count && p >= iob__frag(c, first)->size) p -= iob__frag(c, first++)->size;
    for (uint64_t i = first, l = left, q = p; i < c->count && l; i++, q = 0) {
        uint64_t k = iob__frag(c, i)->size - q;
        l -= k < l ? k : l;
        n++;
    }
    iob_chain *s;
    if (chain_alloc(c->sys, c->holder, &s) != IOB_OK) return IOB_ENOMEM;
    if (reserve(s, n, 0) != IOB_OK) {
        chain_free(s);
        return IOB_ENOMEM;
    }
    for (uint64_t i = first; left; i++, p = 0) {
        const struct iob_frag *f = iob__frag(c, i);
        uint64_t k = f->size - p < left ? f->size - p : left;
        iob__ref(f->a);
        push_back(s, (struct iob_frag){f->a, f->start + p, k, k});
        left -= k;
    }
    *out = s;
    return IOB_OK;
}

int iob_chain_copy(const iob_chain *c, iob_chain **out) {
    if (c == NULL || out == NULL) return IOB_EINVAL;
    IOB_ON_CORE(c->holder);
    uint64_t n = 0;
    for (uint64_t left = c->size; left; n++) left -= copy_fragment_size(left);
    iob_chain *d;
    if (chain_alloc(c->sys, c->holder, &d) != IOB_OK) return IOB_ENOMEM;
    if (reserve(d, n, 0) != IOB_OK) {
        chain_free(d);
        return IOB_ENOMEM;
    }
    for (uint64_t pos = 0; pos < c->size;) {
        uint64_t k = copy_fragment_size(c->size - pos);
        struct iob_alloc *a;
        if (iob__alloc_new(c->sys, c->holder, k, &a) != IOB_OK) {
            iob_chain_release(d);
            return IOB_ENOMEM;
        }
        IOB_TRACE(IOB_EV_WRITE, a, 0, k, 0, 0);
        copy_out(c, pos, k, a->data);
        push_back(d, (struct iob_frag){a, 0, k, k});
        pos += k;
    }
    *out = d;
    return IOB_OK;
}

int iob_chain_trim_front(iob_chain *c, int64_t n) {
    if (c == NULL) return IOB_EINVAL;
    if (n < 0) return IOB_ERANGE;
    IOB_ON_CORE(c->holder);
    uint64_t left = (uint64_t)n;
    while (c->count && left >= iob__frag(c, 0)->size) {
        left -= iob__frag(c, 0)->size;
        drop_front(c);
    }
    if (c->count && left) {
        struct iob_frag *f = iob__frag(c, 0);
        f->start += left;
        f->size -= left;
        f->capacity -= left;
        c->size -= left;
    }
    c->version++;
    return IOB_OK;
}

int iob_chain_trim_back(iob_chain *c, int64_t n) {
    if (c == NULL) return IOB_EINVAL;
    if (n < 0) return IOB_ERANGE;
    IOB_ON_CORE(c->holder);
    uint64_t left = (uint64_t)n;
    while (c->count && left >= iob__frag(c, c->count - 1)->size) {
        left -= iob__frag(c, c->count - 1)->size;
        drop_back(c);
    }
    if (c->count && left) {
        struct iob_frag *f = iob__frag(c, c->count - 1);
        f->size -= left;
        f->capacity = f->size;  // the cut bytes may still be shared: never refill them
        c->size -= left;
    }
    c->version++;
    return IOB_OK;
}

int iob_chain_pop_front(iob_chain *c) {
    if (c == NULL) return IOB_EINVAL;
    if (c->count == 0) return IOB_ERANGE;
    IOB_ON_CORE(c->holder);
    drop_front(c);
    c->version++;
    return IOB_OK;
}

int iob_chain_pop_back(iob_chain *c) {
    if (c == NULL) return IOB_EINVAL;
    if (c->count == 0) return IOB_ERANGE;
    IOB_ON_CORE(c->holder);
    drop_back(c);
    c->version++;
    return IOB_OK;
}

/// A cursor over a chain's fragments, for walking two chains side by side.
struct walk {
    const iob_chain *c;
    uint64_t i, off;
};

static uint64_t walk_chunk(const struct walk *w, const unsigned char **p) {
    if (w->i >= w->c->count) return 0;
    const struct iob_frag *f = iob__frag(w->c, w->i);
    *p = f->a->data + f->start + w->off;
    return f->size - w->off;
}

static void walk_advance(struct walk *w, uint64_t k) {
    w->off += k;
    if (w->off == iob__frag(w->c, w->i)->size) {
        w->i++;
        w->off = 0;
    }
}

int iob_chain_compare(const iob_chain *a, const iob_chain *b, int32_t *cmp) {
    if (a == NULL || b == NULL || cmp == NULL) return IOB_EINVAL;
    IOB_ON_CORE(a->holder);
    struct walk x = {a, 0, 0}, y = {b, 0, 0};
    for (;;) {
        const unsigned char *p = NULL, *q = NULL;
        uint64_t m = walk_chunk(&x, &p), n = walk_chunk(&y, &q);
        if (m == 0 || n == 0) {
            *cmp = m ? 1 : n ? -1 : 0;
            return IOB_OK;
        }
        uint64_t k = m < n ? m : n;
        IOB_TRACE(IOB_EV_READ, iob__frag(a, x.i)->a, iob__frag(a, x.i)->start + x.off, k, 0, 0);
        IOB_TRACE(IOB_EV_READ, iob__frag(b, y.i)->a, iob__frag(b, y.i)->start + y.off, k, 0, 0);
        int r = memcmp(p, q, (size_t)k);
        if (r) {
            *cmp = r < 0 ? -1 : 1;
            return IOB_OK;
        }
        walk_advance(&x, k);
        walk_advance(&y, k);
    }
}

int iob_chain_send(iob_chain *c, int32_t core, iob_chain **out) {
    if (c == NULL || out == NULL || !iob__valid_core(c->sys, core)) return IOB_EINVAL;
    IOB_ON_CORE(c->holder);
    iob_chain *m;
    if (chain_alloc(c->sys, core, &m) != IOB_OK) return IOB_ENOMEM;
    // the fragments and their references move into `m`
    m->frags = c->frags;
    m->head = c->head;
    m->count = c->count;
    m->cap = c->cap;
    m->size = c->size;
    IOB_TRACE(IOB_EV_SEND, m, 0, 0, (uint64_t)c->holder, (uint64_t)core);
    free(c);
    *out = m;
    return IOB_OK;
}

int iob_chain_release(iob_chain *c) {
    if (c == NULL) return IOB_EINVAL;
    IOB_ON_CORE(c->holder);
    while (c->count) drop_back(c);
    chain_free(c);
    return IOB_OK;
}
