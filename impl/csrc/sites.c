/// \file sites.c
/// What the library says about itself: ABI version, limits, error names, the
/// table of atomic sites and orders it was built with, and the trace hook.
#include <stddef.h>

#include "internal.h"

const uint32_t iob_abi_version = 1;
const int64_t iob_max_cores = IOB_MAX_CORES;
const int64_t iob_max_alloc_size = IOB_MAX_ALLOC_SIZE;
const int64_t iob_max_fragment = IOB_MAX_FRAGMENT;
const int64_t iob_to_end = IOB_TO_END;
const uint32_t iob_sizeof_stats = sizeof(iob_stats);
const uint32_t iob_sizeof_buf_info = sizeof(iob_buf_info);
const uint32_t iob_sizeof_chain_info = sizeof(iob_chain_info);
const uint32_t iob_sizeof_fragment_info = sizeof(iob_fragment_info);
const uint32_t iob_sizeof_trace_event = sizeof(iob_trace_event);

static const char *const error_names[] = {
    "IOB_OK",      "IOB_ERANGE", "IOB_EINVAL",     "IOB_ESHARED",
    "IOB_ERELEASED", "IOB_ENOMEM", "IOB_EWOULDBLOCK",
};

int iob_error_name(int code, const char **name) {
    if (name == NULL || code < 0 || code >= (int)(sizeof error_names / sizeof *error_names))
        return IOB_EINVAL;
    *name = error_names[code];
    return IOB_OK;
}

struct site_row {
    const char *site, *op, *order;
};

#define IOB__SITE_ROW(id, name, op, order) {name, op, #order},
static const struct site_row site_table[] = {IOB_SITES(IOB__SITE_ROW)};
#undef IOB__SITE_ROW
_Static_assert(sizeof site_table / sizeof *site_table == IOB_SITE_COUNT, "one row per site");

int iob_sites_count(uint32_t *count) {
    if (count == NULL) return IOB_EINVAL;
    *count = IOB_SITE_COUNT;
    return IOB_OK;
}

int iob_site(uint32_t i, const char **site, const char **op, const char **order) {
    if (site == NULL || op == NULL || order == NULL) return IOB_EINVAL;
    if (i >= IOB_SITE_COUNT) return IOB_ERANGE;
    *site = site_table[i].site;
    *op = site_table[i].op;
    *order = site_table[i].order;
    return IOB_OK;
}

#ifdef IOB_TRACED
const int32_t iob_traced = 1;
_Thread_local int32_t iob__trace_core = -1;
static iob_trace_fn trace_fn;

int iob_trace_set_callback(iob_trace_fn fn) {
    trace_fn = fn;
    return IOB_OK;
}

void iob__trace_emit(int32_t kind, int32_t site, int32_t order, int32_t op, const void *addr,
                     uint64_t offset, uint64_t length, uint64_t read, uint64_t written,
                     const char *function) {
    iob_trace_fn fn = trace_fn;
    if (fn == NULL) return;
    iob_trace_event ev = {.kind = kind, .core = iob__trace_core, .site = site, .order = order,
                          .op = op, .addr = addr, .offset = offset, .length = length,
                          .value_read = read, .value_written = written, .function = function};
    fn(&ev);
}
#else
const int32_t iob_traced = 0;

int iob_trace_set_callback(iob_trace_fn fn) {
    (void)fn;
    return IOB_EINVAL;
}
#endif
