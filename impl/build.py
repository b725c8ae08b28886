"""Compile variants of libiobuf on demand from the same sources, cached by content hash.

`pip install` builds the plain library shipped with the package. Checking
needs others, built from the very same `csrc/` (or from a mutant copy of it):

- `asan`:   AddressSanitizer + UndefinedBehaviorSanitizer (load it into a
            process with the ASan runtime preloaded: `sanitizer_runtime`);
- `tsan`:   ThreadSanitizer (for real multi-threaded C drivers, tests/c/);
- `traced`: -DIOB_TRACED, routing every atomic op, payload access, free and
            owner-state access to a callback (`iobuf.impl.sites`);
- `plain`:  the optimised library, as pip builds it.

A build is keyed by the SHA-256 of every source file (name and bytes), the
flags, the compiler and what it is (library or program), so an edited
source or a mutant gets its own artefact and a repeated request is free.

Example:
    >>> from iobuf.impl.build import build
    >>> path = build("asan")                         # doctest: +SKIP
    >>> iobuf.impl.System(cores=2, library=path)     # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

SOURCE_DIR = Path(__file__).parent / "csrc"
"""The sources `pip install` compiles."""

COMMON_FLAGS = ("-std=c11", "-Wall", "-Wextra", "-Werror", "-fPIC", "-pthread")
VARIANTS: dict[str, tuple[str, ...]] = {
    "plain": ("-O2", "-fvisibility=hidden"),
    "asan": ("-O1", "-g", "-fno-omit-frame-pointer", "-fsanitize=address,undefined",
             "-fno-sanitize-recover=undefined", "-fvisibility=hidden"),
    "tsan": ("-O1", "-g", "-fsanitize=thread", "-fvisibility=hidden"),
    "traced": ("-O1", "-g", "-DIOB_TRACED", "-fvisibility=hidden"),
}
"""Compiler flags per variant (on top of COMMON_FLAGS)."""

RUNTIMES = {"asan": "libasan.so", "tsan": "libtsan.so"}


class BuildError(RuntimeError):
    """The compiler failed; the message carries its output."""


def compiler() -> str:
    """The C compiler: $CC, else cc."""
    return os.environ.get("CC", "cc")


def cache_dir() -> Path:
    """Where artefacts go: $IOBUF_BUILD_CACHE, else ~/.cache/iobuf (or a temp dir)."""
    env = os.environ.get("IOBUF_BUILD_CACHE")
    if env:
        return Path(env)
    home = Path.home()
    base = home / ".cache" if os.access(home, os.W_OK) else Path(tempfile.gettempdir())
    return base / "iobuf"


def sources(src_dir: Path = SOURCE_DIR) -> list[Path]:
    """The library's C sources in `src_dir` (headers are hashed too)."""
    return sorted(src_dir.glob("*.c"))


def content_key(src_dir: Path, flags: Sequence[str], extra: Sequence[Path] = ()) -> str:
    """SHA-256 over every source and header, the flags and the compiler."""
    h = hashlib.sha256()
    for path in sorted([*src_dir.glob("*.c"), *src_dir.glob("*.h")]) + sorted(extra):
        h.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    h.update("\0".join([compiler(), *flags]).encode())
    return h.hexdigest()[:20]


def _flags(variant: str, extra_flags: Sequence[str]) -> list[str]:
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; one of {sorted(VARIANTS)}")
    return [*COMMON_FLAGS, *VARIANTS[variant], *extra_flags]


def _compile(out: Path, args: list[str]) -> Path:
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=out.parent) as tmp:
        target = Path(tmp) / out.name
        proc = subprocess.run([compiler(), *args, "-o", str(target)],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise BuildError(f"{compiler()} failed for {out.name}:\n{proc.stderr}")
        os.replace(target, out)  # atomic: concurrent builders agree on one file
    return out


def build(variant: str = "plain", src_dir: Path | str | None = None,
          extra_flags: Sequence[str] = ()) -> Path:
    """The shared library of `variant` built from `src_dir` (default: the package's csrc/)."""
    src = Path(src_dir) if src_dir is not None else SOURCE_DIR
    flags = [*_flags(variant, extra_flags), "-shared"]
    key = content_key(src, flags)
    out = cache_dir() / f"libiobuf-{variant}-{key}.so"
    return _compile(out, [*flags, f"-I{src}", *map(str, sources(src))])


def build_program(main: Path | str, variant: str = "plain", src_dir: Path | str | None = None,
                  extra_flags: Sequence[str] = ()) -> Path:
    """An executable of `main` (a C file using iobuf.h) linked with the library sources."""
    src = Path(src_dir) if src_dir is not None else SOURCE_DIR
    main = Path(main)
    flags = _flags(variant, extra_flags)
    key = content_key(src, flags, extra=[main])
    out = cache_dir() / f"{main.stem}-{variant}-{key}"
    return _compile(out, [*flags, f"-I{src}", str(main), *map(str, sources(src))])


def sanitizer_runtime(variant: str) -> Path:
    """The sanitizer runtime a process must preload to load the `variant` library."""
    name = RUNTIMES[variant]
    proc = subprocess.run([compiler(), f"-print-file-name={name}"],
                          capture_output=True, text=True, check=True)
    path = Path(proc.stdout.strip())
    if not path.is_absolute() or not path.exists():
        raise BuildError(f"{compiler()} does not know where {name} is")
    return path


def copy_sources(dest: Path | str, src_dir: Path = SOURCE_DIR) -> Path:
    """A copy of the sources to edit (mutants are source edits, never #ifdefs)."""
    dest = Path(dest)
    shutil.copytree(src_dir, dest, dirs_exist_ok=True)
    return dest
