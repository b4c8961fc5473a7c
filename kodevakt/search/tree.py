"""Browsing the code hierarchy: a code and what lies under it, to a given depth.

Without a code the ICD-10 chapters are the roots. WHO codes the Norwegian edition does not use
are shown but marked, so a coder sees why a familiar code is missing from the reportable list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from kodevakt.codes.codebase import CodeBase
from kodevakt.codes.model import Code, Level
from kodevakt.codes.release import Family


@dataclass(slots=True)
class Node:
    code: str
    text: str
    level: str
    reportable: bool
    who_only: bool
    children: list[Node] = field(default_factory=list)
    more: int = 0  # children not shown (depth reached)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "text": self.text,
            "level": self.level,
            "reportable": self.reportable,
            "who_only": self.who_only,
            "children": [child.to_dict() for child in self.children],
            "more": self.more,
        }


def tree(
    base: CodeBase, code: str | None = None, depth: int = 1, at: date | None = None
) -> list[Node] | None:
    """`code` with `depth` levels below it, or the ICD-10 chapters; `None` for an unknown code."""
    depth = max(0, depth)
    if code is None or not code.strip():
        icd = base.code_list(Family.ICD10, at)
        if icd is None:
            return []
        roots = [c for c in icd if c.level is Level.CHAPTER]
        return [_node(base, c, depth - 1, at) for c in roots]
    found = base.lookup(code.strip(), at)
    if found is None:
        return None
    return [_node(base, found, depth, at)]


def _node(base: CodeBase, code: Code, depth: int, at: date | None) -> Node:
    node = Node(code.code, code.display_text, code.level.value, code.reportable, code.who_only)
    children = base.children(code.code, at)
    if depth > 0:
        node.children = [_node(base, child, depth - 1, at) for child in children]
    else:
        node.more = len(children)
    return node
