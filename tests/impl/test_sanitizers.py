"""The implementation under ASan+UBSan, ThreadSanitizer and valgrind, each with a negative twin.

- ASan+UBSan: the instrumented library is loaded into a pytest subprocess
  with the ASan runtime preloaded (Python itself is not instrumented) and
  runs the implementation's tests: this package, the model's API tests on
  `iobuf.impl`, and the lockstep machine. Leak checking is off there (the
  interpreter's own allocations drown it); leaks are the valgrind run's job
  and every test ends with all per-core counters at zero.
- TSan: tests/c/stress.c runs one real thread per core exchanging handles.
- valgrind memcheck: the same mixed scenario, with leak checking.

Each twin builds a mutant (a source edit on a copy of csrc/, as
tests/mutants does) and asserts the tool reports it, so a silent tool
cannot pass for a clean run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from iobuf.impl.build import build, build_program, copy_sources, sanitizer_runtime

ROOT = Path(__file__).resolve().parents[2]
STRESS = ROOT / "tests" / "c" / "stress.c"
ASAN_SUITE = [
    "tests/impl/test_bindings.py", "tests/impl/test_c_errors.py",
    "tests/model/test_buffers.py", "tests/model/test_iobuf.py",
    "tests/model/test_bad_input.py", "tests/lockstep",
]


def _mutant(tmp_path: Path, file: str, *edits: tuple[str, str]) -> Path:
    """A copy of csrc/ with each (old, new) edit applied once to `file`."""
    src = copy_sources(tmp_path / "csrc")
    text = (src / file).read_text()
    for old, new in edits:
        assert old in text, f"mutation site {old!r} not in {file}"
        text = text.replace(old, new, 1)
    (src / file).write_text(text)
    return src


def _asan_env(library: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        LD_PRELOAD=str(sanitizer_runtime("asan")),
        IOBUF_LIB=str(library),
        ASAN_OPTIONS="detect_leaks=0:halt_on_error=1",
        UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def test_the_impl_test_suite_runs_clean_under_asan_and_ubsan() -> None:
    env = _asan_env(build("asan"))
    probe = subprocess.run(
        [sys.executable, "-c", "from iobuf.impl import _ffi; print(_ffi.load().path)"],
        env=env, capture_output=True, text=True, check=True)
    assert "libiobuf-asan-" in probe.stdout
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
         "-k", "impl or lockstep or not model", *ASAN_SUITE],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=300)
    report = proc.stdout[-3000:] + proc.stderr[-3000:]
    assert proc.returncode == 0, report
    assert "ERROR: AddressSanitizer" not in proc.stderr and "runtime error" not in proc.stderr


def test_asan_catches_a_read_past_the_view(tmp_path: Path) -> None:
    check = "if (size < 0 || (uint64_t)size > rest) return IOB_ERANGE;"
    src = _mutant(tmp_path, "buffer.c", (check, "if (size < 0) return IOB_ERANGE;"))
    env = _asan_env(build("asan", src_dir=src))
    proc = subprocess.run(
        [sys.executable, "-c",
         "import iobuf.impl as m; s = m.System(); b = s.core(0).alloc(4); b.read(0, 60)"],
        env=env, capture_output=True, text=True, check=False, timeout=60)
    assert proc.returncode != 0 and "heap-buffer-overflow" in proc.stderr, proc.stderr[-2000:]


def _run(exe: Path, *args: str, wrapper: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*wrapper, str(exe), *args], capture_output=True, text=True,
                          check=False, timeout=120)


def test_threads_exchanging_handles_are_race_free_under_tsan() -> None:
    proc = _run(build_program(STRESS, "tsan"), "4", "200")
    assert proc.returncode == 0 and "ThreadSanitizer" not in proc.stderr, proc.stderr[-3000:]
    assert proc.stdout.startswith("ok: 4 cores")


def test_tsan_catches_a_relaxed_decrement_without_the_acquire_fence(tmp_path: Path) -> None:
    src = _mutant(tmp_path, "buffer.c",
                  ("&a->refcount, 1, release)", "&a->refcount, 1, relaxed)"),
                  ("    IOB_FENCE_ON(DROP_FENCE, &a->refcount, acquire);\n", ""))
    proc = _run(build_program(STRESS, "tsan", src_dir=src), "4", "200")
    assert "WARNING: ThreadSanitizer: data race" in proc.stderr
    assert "iob__free_on_owner" in proc.stderr


VALGRIND = ("valgrind", "-q", "--leak-check=full", "--errors-for-leak-kinds=all",
            "--error-exitcode=97")


@pytest.fixture()
def valgrind() -> tuple[str, ...]:
    if shutil.which("valgrind") is None:
        pytest.fail("valgrind is required for the memcheck test (apt-get install valgrind)")
    return VALGRIND


def test_valgrind_memcheck_of_a_mixed_scenario(valgrind: tuple[str, ...]) -> None:
    proc = _run(build_program(STRESS, "plain", extra_flags=("-g",)), "3", "60", wrapper=valgrind)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stderr == "", proc.stderr[-3000:]


def test_valgrind_catches_a_lost_deferred_free(tmp_path: Path,
                                               valgrind: tuple[str, ...]) -> None:
    src = _mutant(tmp_path, "core.c", ("        iob__free_on_owner(s, a);\n        a = next;",
                                       "        s->cores[a->owner].live_allocations -= 1;\n"
                                       "        s->cores[a->owner].live_bytes -= a->size;\n"
                                       "        a = next;"))
    proc = _run(build_program(STRESS, "plain", src_dir=src, extra_flags=("-g",)), "2", "20",
                wrapper=valgrind)
    assert proc.returncode == 97 and "definitely lost" in proc.stderr, proc.stderr[-3000:]


SCENARIO = """
import gc
import iobuf.impl as impl
s = impl.System(cores=3)
c0, c1, c2 = s.cores
for i in range(12):
    b = c0.alloc(100 + i)
    b.write(0, b"abc")
    v = b.share(1, 50).send(c1)
    io = c1.iobuf()
    io.append(b"x" * 3000)
    io.append_buffer(v)
    k = io.consumer()
    k.consume(10, lambda mv: False)
    k.read_u32_be()
    io2 = io.share(5, 2000).send(c2)
    io2.hexdump(64)
    io2.copy().release()
    b.release()
    if i % 2:
        io.release()
    c0.poll()
    c1.poll()
forgotten = c2.alloc(10)  # never released: close() must
del forgotten, io2
gc.collect()
if len(__import__("sys").argv) > 1:
    s.close()  # otherwise the finaliser at exit must free everything
"""


def _valgrind_python(tmp_path: Path, valgrind: tuple[str, ...], *args: str,
                     library: Path | None = None) -> str:
    script = tmp_path / "scenario.py"
    script.write_text(SCENARIO)
    env = dict(os.environ, PYTHONMALLOC="malloc")
    if library is not None:
        env["IOBUF_LIB"] = str(library)
    proc = subprocess.run([valgrind[0], "--leak-check=full", "--show-leak-kinds=definite,indirect",
                           sys.executable, str(script), *args],
                          env=env, capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stderr


def _library_records(report: str) -> list[str]:
    """valgrind records (errors, leaks) with a frame in libiobuf; the interpreter's are not ours.

    Records are separated by an empty message line (`==PID== `).
    """
    blocks: list[str] = []
    current: list[str] = []
    for line in report.splitlines():
        if line.split("== ", 1)[-1].strip() == "":
            blocks.append("\n".join(current))
            current = []
        else:
            current.append(line)
    blocks.append("\n".join(current))
    return [b for b in blocks if "iob_" in b]


def test_valgrind_python_scenario_frees_everything_through_close_and_finalisers(
        tmp_path: Path, valgrind: tuple[str, ...]) -> None:
    for args in (("close",), ()):
        report = _valgrind_python(tmp_path, valgrind, *args)
        assert "HEAP SUMMARY" in report, report[-2000:]
        assert _library_records(report) == []


def test_valgrind_python_scenario_catches_a_leaked_cursor(
        tmp_path: Path, valgrind: tuple[str, ...]) -> None:
    src = _mutant(tmp_path, "consumer.c", ("    free(k);\n", ""))
    report = _valgrind_python(tmp_path, valgrind, "close",
                              library=build("plain", src_dir=src, extra_flags=("-g",)))
    leaks = _library_records(report)
    assert leaks and "definitely lost" in leaks[0] and "iob_consumer_new" in leaks[0]
