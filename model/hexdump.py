"""`hexdump -Cv`-style rendering of bytes (no `*` squeezing), for `IoBuf.hexdump`."""

from __future__ import annotations

LINE = 16


def hexdump(data: bytes, limit: int = 1024) -> str:
    """Lines of `offset  hex bytes (two groups of 8)  |ascii|` for the first `limit` bytes.

    After the lines comes the offset one past the last byte shown, as
    `hexdump -C` prints it; when bytes were cut, a last line says how many.

    pre: limit >= 0
    """
    shown = data[:limit]
    lines = []
    for off in range(0, len(shown), LINE):
        chunk = shown[off : off + LINE]
        hexes = [f"{b:02x}" for b in chunk] + ["  "] * (LINE - len(chunk))
        text = "".join(chr(b) if 0x20 <= b < 0x7F else "." for b in chunk)
        lines.append(f"{off:08x}  {' '.join(hexes[:8])}  {' '.join(hexes[8:])}  |{text}|")
    lines.append(f"{len(shown):08x}")
    if len(data) > len(shown):
        lines.append(f"... {len(data) - len(shown)} more bytes")
    return "\n".join(lines)
