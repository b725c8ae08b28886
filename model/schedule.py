"""Redpanda's fragment allocation schedule and the sizing rule of `copy()`.

Background: an iobuf grows by fragments; each new fragment is larger than
the last (up to 128 KiB), so appending n bytes in small pieces costs
O(log n) allocations while no single allocation is huge (large contiguous
allocations fragment a seastar shard's memory).
"""

from __future__ import annotations

ALLOCATION_TABLE: tuple[int, ...] = (
    512, 768, 1280, 1792, 2560, 3584, 6144, 8192, 12288, 16384, 32768, 65536, 131072,
)
"""Fragment capacities, in the order a growing iobuf uses them (Redpanda, Dec 2024)."""

MAX_FRAGMENT = ALLOCATION_TABLE[-1]
"""No fragment is ever larger than this."""

DEFAULT_LAST = ALLOCATION_TABLE[0]
"""What an empty iobuf takes as the capacity of its (missing) last fragment."""

COPY_EXACT_LIMIT = 16384
"""`copy()` sizes fragments exactly up to this many bytes."""


def next_allocation(x: int) -> int:
    """The first table entry strictly greater than `x`, capped at MAX_FRAGMENT.

    pre: x >= 0
    post: __return__ in ALLOCATION_TABLE
    post: __return__ > x or __return__ == MAX_FRAGMENT
    post: all(e <= x for e in ALLOCATION_TABLE if e < __return__)
    """
    for entry in ALLOCATION_TABLE:
        if entry > x:
            return entry
    return MAX_FRAGMENT


def new_fragment_capacity(request: int, last_capacity: int | None) -> int:
    """The capacity of a new fragment for `request` more bytes after one of `last_capacity`.

    pre: request >= 1 and (last_capacity is None or last_capacity >= 0)
    post: __return__ <= MAX_FRAGMENT
    post: __return__ >= min(request + 1, MAX_FRAGMENT)
    """
    last = DEFAULT_LAST if last_capacity is None else last_capacity
    return next_allocation(max(request, last))


def copy_fragment_sizes(total: int) -> tuple[int, ...]:
    """The fragment capacities `copy()` allocates for `total` bytes, each filled completely.

    Up to COPY_EXACT_LIMIT a fragment is exactly what remains; above it, the
    largest power of two not above what remains, capped at MAX_FRAGMENT.

    pre: 0 <= total <= 10**7
    post: sum(__return__) == total
    post: all(0 < s <= MAX_FRAGMENT for s in __return__)
    """
    sizes: list[int] = []
    left = total
    while left > 0:
        size = left if left <= COPY_EXACT_LIMIT else min(MAX_FRAGMENT, 1 << (left.bit_length() - 1))
        sizes.append(size)
        left -= size
    return tuple(sizes)
