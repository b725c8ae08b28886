"""iobuf: a formally checked model and a C implementation of thread-per-core buffers.

The subpackages live in the repository's top-level folders (model/, impl/,
proofs/, cli/) and are mapped here by setup.py. `extend_path` lets a
checkout's `iobuf/` folder on sys.path (e.g. `python -m pytest` from the
repository root) coexist with the installed subpackages.
"""

from __future__ import annotations

from pkgutil import extend_path

__path__ = extend_path(__path__, __name__)
__version__ = "0.1.0"
