"""Build script: maps the top-level folders into the `iobuf` namespace and compiles the C library.

The C library is an ordinary shared object loaded with ctypes, not a CPython
extension; setuptools' `Extension` is only used because it is the portable way
to have `pip install` run the platform's C compiler (no separate build step,
no prebuilt binaries).
"""

from __future__ import annotations

from pathlib import Path

from setuptools import Extension, setup

HERE = Path(__file__).parent
TOP_LEVEL = ("model", "impl", "proofs", "cli")


def _packages() -> tuple[list[str], dict[str, str]]:
    """`iobuf` itself, and every folder with an __init__.py below a top-level folder."""
    packages: list[str] = ["iobuf"]
    package_dir: dict[str, str] = {"iobuf": "iobuf"}
    for top in TOP_LEVEL:
        for init in sorted((HERE / top).rglob("__init__.py")):
            rel = init.parent.relative_to(HERE)
            name = "iobuf." + ".".join(rel.parts)
            packages.append(name)
            package_dir[name] = rel.as_posix()
    return packages, package_dir


def _extensions() -> list[Extension]:
    sources = sorted(p.relative_to(HERE).as_posix() for p in (HERE / "impl" / "csrc").glob("*.c"))
    if not sources:
        return []
    return [
        Extension(
            "iobuf.impl._libiobuf",
            sources=sources,
            include_dirs=["impl/csrc"],
            extra_compile_args=["-std=c11", "-O2", "-Wall", "-Wextra", "-fvisibility=hidden"],
        )
    ]


packages, package_dir = _packages()
setup(
    packages=packages,
    package_dir=package_dir,
    package_data={name: ["py.typed", "csrc/*.h", "csrc/*.c"] for name in packages},
    ext_modules=_extensions(),
)
