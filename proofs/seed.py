"""The seed blog's `iobuf::share`, transcribed, next to the model's, both behind one guard.

Background: the mini-iobuf blog post this project started from shares a
range of a fragment chain like this (C++, `size_t` everywhere):

    size_t remaining = len;
    for (auto& frag : _frags) {
        if (remaining <= 0) break;
        if (pos >= frag.size()) { pos -= frag.size(); continue; }
        auto right = std::min(pos + remaining, frag.size() - 1);
        ret.append(frag.share_slice(pos, right));   // (pos, len) called with an end index
        remaining -= right - pos - 1;
    }                                                 // pos is never reset to 0

Four mistakes: `size - 1` (an inclusive end), the end index passed where
`share_slice` takes a length, the `- 1` in the bookkeeping, and `pos` kept
for the next fragment instead of restarting at 0. `seed_share_spans` is a
literal transcription with `size_t` arithmetic (mod 2**64), returning the
same (fragment, offset, length) triples as the model's
`iobuf.model.chain.share_spans`; `share_slice(pos, right)` is the piece
`(i, pos, right)`, unclamped, as the C++ would build it.

The `*_checked` pair is what `crosshair diffbehavior` compares: both return
None outside the model's precondition, so every difference CrossHair reports
is on an input the model accepts.
"""

from __future__ import annotations

from iobuf.model.chain import share_spans

SIZE_T = 1 << 64
"""`size_t` arithmetic wraps modulo this."""

Spans = tuple[tuple[int, int, int], ...]


def seed_share_spans(sizes: tuple[int, ...], pos: int, size: int) -> Spans:
    """The seed blog's share, literally: (fragment, offset, length) per `share_slice` call."""
    spans: list[tuple[int, int, int]] = []
    remaining = size % SIZE_T
    for i, fsize in enumerate(sizes):
        if remaining == 0:  # `remaining <= 0` on a size_t
            break
        if pos >= fsize:
            pos = (pos - fsize) % SIZE_T
            continue
        right = min((pos + remaining) % SIZE_T, (fsize - 1) % SIZE_T)
        spans.append((i, pos, right))
        remaining = (remaining - ((right - pos - 1) % SIZE_T)) % SIZE_T
    return tuple(spans)


def share_precondition(sizes: tuple[int, ...], pos: int, size: int) -> bool:
    """The model's precondition of `share_spans`, plus 64-bit sizes (what a C chain can hold)."""
    return (all(s > 0 for s in sizes) and sum(sizes) < SIZE_T
            and pos >= 0 and size >= 0 and pos + size <= sum(sizes))


def seed_share_checked(sizes: tuple[int, ...], pos: int, size: int) -> Spans | None:
    """The seed's share on inputs the model accepts (None elsewhere)."""
    if not share_precondition(sizes, pos, size):
        return None
    return seed_share_spans(sizes, pos, size)


def model_share_checked(sizes: tuple[int, ...], pos: int, size: int) -> Spans | None:
    """The model's share_spans on the inputs it accepts (None elsewhere)."""
    if not share_precondition(sizes, pos, size):
        return None
    return share_spans(sizes, pos, size)
