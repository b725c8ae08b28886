"""iobuf.model: the executable specification of thread-per-core buffers (stdlib only)."""

from __future__ import annotations
