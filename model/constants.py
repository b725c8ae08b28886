"""Limits of the model, shared with the implementation (which checks its own against them)."""

from __future__ import annotations

MAX_CORES = 64
"""A System has 1..MAX_CORES cores (DESIGN.md §2)."""

MAX_ALLOC_SIZE = 1 << 30
"""The largest single allocation; a larger request raises OutOfMemory."""
