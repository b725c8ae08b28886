"""The docs' figures are drawn by the model: regenerating them must change nothing."""

from __future__ import annotations

import importlib.util
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_every_figure_is_current_and_referenced() -> None:
    spec = importlib.util.spec_from_file_location("docs_figures", DOCS / "figures.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    figures: dict[str, str] = module.figures()
    pages = "".join(p.read_text() for p in DOCS.glob("*.md"))
    for name, svg in figures.items():
        assert (DOCS / "figures" / name).read_text() == svg, f"{name} is stale: run docs/figures.py"
        assert f"figures/{name}" in pages, f"{name} is not used by any page"


def test_a_twin_figure_shows_the_violation() -> None:
    assert "violates freed_once_by_owner" in (DOCS / "figures" / "free-on-holder.svg").read_text()
