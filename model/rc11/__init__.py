"""iobuf.model.rc11: an RC11 execution-graph explorer, herd7 litmus front end, protocol catalogue.

Layers, one concept per file:
- `program`: statements, expressions, final conditions, flat thread code;
- `builder`: the Python way to write programs; `litmus`, `litmus_calls`: herd7 C;
- `events`, `graph`: events, modes, the growing graph with vector clocks;
- `axioms`: coherence, atomicity, psc, SC, races, checked incrementally;
- `search`, `explorer`: the canonical depth-first search and its `Result`;
- `reach`: may a postponed read still get a source (abstract run of the rest);
- `relations`: the RC11 relations of a finished graph, by relational algebra;
- `herd`: herd7's result block; `render`: DOT and SVG witness graphs;
- `protocols`: the deferred-delete catalogue; `promela`: its SC model for SPIN.
"""

from __future__ import annotations

from .explorer import Finding, Result, explore
from .litmus import LitmusSyntaxError, parse_litmus
from .program import Program

__all__ = ["Finding", "LitmusSyntaxError", "Program", "Result", "explore", "parse_litmus"]
