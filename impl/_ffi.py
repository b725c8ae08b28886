"""Loading libiobuf with ctypes: lazily, once per path, failing fast on a foreign ABI.

Background: the bindings follow llvmlite's layout. Each C source has a
binding module (`core.py` for core.c, ...) that *declares* the prototypes of
its functions at the bottom with `declare(...)`; `load()` opens a library,
checks its version symbol, applies every declared prototype and compares the
limits the library reports with `iobuf.model.constants` (the C library is the
source of its own sizes; the model's constants are the contract both meet).

Several libraries can be loaded side by side (the bundled one, a sanitizer or
traced variant, a mutant, any `--lib` implementing iobuf.h): a `System`
remembers the library it was created with.
"""

from __future__ import annotations

import ctypes
import os
import platform
from collections.abc import Callable
from pathlib import Path
from typing import Any

from iobuf.model import constants
from iobuf.model.errors import (
    InvalidArgument,
    IobufError,
    OutOfMemory,
    OutOfRange,
    ReleasedHandleError,
    SharedWriteError,
    WouldBlock,
)

ABI_VERSION = 1
"""The `iob_abi_version` these bindings speak."""

ENV_LIBRARY = "IOBUF_LIB"
"""Environment variable naming the library `lib()` loads instead of the bundled one."""

_ERROR_CLASSES: dict[str, type[IobufError]] = {
    "IOB_ERANGE": OutOfRange,
    "IOB_EINVAL": InvalidArgument,
    "IOB_ESHARED": SharedWriteError,
    "IOB_ERELEASED": ReleasedHandleError,
    "IOB_ENOMEM": OutOfMemory,
    "IOB_EWOULDBLOCK": WouldBlock,
}
"""Error names (as the library spells them) to the spec's exception classes."""

_PROTOTYPES: dict[str, tuple[Any, list[Any]]] = {}
_MIRRORS: dict[str, Any] = {}
_LOADED: dict[str, Library] = {}
_DEFAULT: Library | None = None

c_int64_p = ctypes.POINTER(ctypes.c_int64)
c_uint64_p = ctypes.POINTER(ctypes.c_uint64)
c_void_pp = ctypes.POINTER(ctypes.c_void_p)


WORD_CALLS = ctypes.sizeof(ctypes.c_void_p) == 8 and platform.machine().lower() in {
    "x86_64", "amd64", "aarch64", "arm64"}
"""Whether `Library.words` may pass integers as machine words too (see `_word_function`)."""

_WORD_TYPES = (ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int32, ctypes.c_uint32,
               ctypes.c_int64, ctypes.c_uint64)
"""Argument types a `c_void_p` word carries unchanged there: pointers and 32/64-bit integers."""


class LibraryError(ImportError):
    """The shared library is missing or speaks another ABI."""


def declare(name: str, restype: Any, *argtypes: Any) -> None:
    """Record the prototype of C function `name` (applied to every library loaded)."""
    _PROTOTYPES[name] = (restype, list(argtypes))


def mirror(name: str, struct: Any) -> None:
    """Record that ctypes `struct` mirrors C struct `iob_<name>` (its size is checked at load)."""
    _MIRRORS[name] = struct


class Words:
    """The library's functions with word prototypes (`Library.words`): attribute per C name.

    A plain class on purpose: a `__getattr__` here would turn off CPython's
    specialised attribute loads on every call through it.
    """


def _word_function(dll: Any, name: str, restype: Any, argtypes: list[Any]) -> Any:
    """A second function object for `name` declaring its arguments as machine words.

    Why: ctypes converts each argument through its declared type's `from_param`;
    for `c_int64` or `POINTER(T)` that costs 100-150 ns per argument, more than
    the C call itself, while `c_void_p` takes a Python int in a fast path.
    Pointer parameters become `c_void_p` everywhere (the bindings pass plain
    ints: addresses of reused out-cells, not `byref` objects). On the 64-bit
    little-endian ABIs of WORD_CALLS (System V and Windows x86-64, AArch64),
    where integer arguments travel in 64-bit registers (or 8-byte stack
    slots), 32/64-bit integer parameters become `c_void_p` too: a negative
    int64 keeps its bits and a callee reading an int32 reads the low half
    (the bindings clamp integers into int64 first).

    The function comes from a `PyDLL` view of the same handle: the library's
    calls are short and never block, so they keep the GIL instead of paying
    to release and retake it around each one (as a C extension would).
    """
    words = WORD_CALLS and len(argtypes) <= 6  # more would go on the stack, where widths matter
    fn = dll[name]
    fn.restype = restype
    fn.argtypes = [ctypes.c_void_p if _is_pointer(t) or (words and t in _WORD_TYPES) else t
                   for t in argtypes]
    return fn


def _is_pointer(t: Any) -> bool:
    return t is ctypes.c_void_p or t is ctypes.c_char_p or (
        isinstance(t, type) and issubclass(t, ctypes._Pointer))


class Library:
    """One loaded libiobuf: the CDLL with prototypes applied, its limits and error table."""

    def __init__(self, path: str) -> None:
        """Open `path`, check the ABI version and the limits, apply the prototypes."""
        try:
            self.dll = ctypes.CDLL(path)
        except OSError as e:
            raise LibraryError(f"cannot load {path}: {e}") from e
        self.path = path
        version = self._const(ctypes.c_uint32, "iob_abi_version")
        if version != ABI_VERSION:
            raise LibraryError(f"{path} has ABI version {version}, expected {ABI_VERSION}")
        pydll = ctypes.PyDLL(path, handle=self.dll._handle)
        self.words: Any = Words()
        """Every declared function again, with word prototypes (fast; see `_word_function`)."""
        for name, (restype, argtypes) in _PROTOTYPES.items():
            fn = getattr(self.dll, name)
            fn.restype, fn.argtypes = restype, argtypes
            setattr(self.words, name, _word_function(pydll, name, restype, argtypes))
        self.max_cores = self._const(ctypes.c_int64, "iob_max_cores")
        self.max_alloc_size = self._const(ctypes.c_int64, "iob_max_alloc_size")
        self.max_fragment = self._const(ctypes.c_int64, "iob_max_fragment")
        self.to_end = self._const(ctypes.c_int64, "iob_to_end")
        self.traced = bool(self._const(ctypes.c_int32, "iob_traced"))
        if (self.max_cores, self.max_alloc_size) != (constants.MAX_CORES,
                                                     constants.MAX_ALLOC_SIZE):
            raise LibraryError(f"{path} limits {self.max_cores} cores, {self.max_alloc_size} "
                               "bytes differ from iobuf.model.constants")
        for name, struct in _MIRRORS.items():
            if self.sizeof(name) != ctypes.sizeof(struct):
                raise LibraryError(f"{path}: iob_{name} is {self.sizeof(name)} bytes, "
                                   f"the binding's mirror {ctypes.sizeof(struct)}")
        self.errors = self._error_table()

    def _const(self, ctype: Any, name: str) -> int:
        try:
            return int(ctype.in_dll(self.dll, name).value)
        except ValueError as e:
            raise LibraryError(f"{self.path} does not export {name}") from e

    def sizeof(self, name: str) -> int:
        """`iob_sizeof_<name>`: the C size of a public struct, to check a ctypes mirror."""
        return self._const(ctypes.c_uint32, f"iob_sizeof_{name}")

    def _error_table(self) -> tuple[type[IobufError], ...]:
        table: list[type[IobufError]] = []
        name = ctypes.c_char_p()
        code = 0
        while self.dll.iob_error_name(code, ctypes.byref(name)) == 0:
            text = (name.value or b"").decode()
            table.append(IobufError if code == 0 else _ERROR_CLASSES.get(text, IobufError))
            code += 1
        return tuple(table)

    def error(self, rc: int, what: str) -> IobufError:
        """The exception for return code `rc` of operation `what`."""
        cls = self.errors[rc] if 0 < rc < len(self.errors) else IobufError
        return cls(f"{what}: {cls.__name__}")


def bundled_path() -> Path:
    """The library `pip install` built next to this package."""
    here = Path(__file__).parent
    found = sorted(here.glob("_libiobuf*.so")) + sorted(here.glob("_libiobuf*.dylib"))
    if not found:
        raise LibraryError(f"no _libiobuf*.so in {here}: run `pip install -e .`")
    return found[0]


def load(path: str | os.PathLike[str] | None = None) -> Library:
    """The library at `path` (default: $IOBUF_LIB, else the bundled one), loaded once."""
    global _DEFAULT
    if path is None:
        if _DEFAULT is None:
            _DEFAULT = load(os.environ.get(ENV_LIBRARY) or bundled_path())
        return _DEFAULT
    key = str(Path(path).resolve())
    if key not in _LOADED:
        _LOADED[key] = Library(key)
    return _LOADED[key]


def checker(lib: Library, what: str) -> Callable[[int], None]:
    """A function raising the mapped error for a nonzero return code of `what`."""

    def check(rc: int) -> None:
        if rc:
            raise lib.error(rc, what)

    return check


LIMIT = 1 << 62
"""Ints within +-LIMIT pass to C unchanged; beyond, `clamp` keeps their sign and error class."""


def int_arg(x: object, what: str) -> int:
    """`x` as an int64 argument, or InvalidArgument if it is not an int (bools are not)."""
    if not is_int(x):
        raise InvalidArgument(f"{what}: expected an int, got {x!r}")
    return clamp(x)  # type: ignore[arg-type]


def clamp(n: int) -> int:
    """An int squeezed into int64 keeping its sign and its "too large" (never IOB_TO_END).

    The C side range-checks; values beyond 2**62 are out of range for any
    view, so clamping them cannot change which error is raised.
    """
    return n if -(1 << 62) <= n <= 1 << 62 else (1 << 62 if n > 0 else -(1 << 62))


def is_int(x: object) -> bool:
    """An int argument (bool is rejected, as in the model)."""
    return type(x) is int or (isinstance(x, int) and not isinstance(x, bool))


def to_bytes(data: object) -> bytes | None:
    """The bytes a write/append accepts (bytes, bytearray, memoryview), else None."""
    if type(data) is bytes:
        return data
    if isinstance(data, bytes | bytearray | memoryview):
        return bytes(data)
    return None
