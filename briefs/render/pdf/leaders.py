"""A workaround for the cost of CSS leaders in WeasyPrint 70.

WeasyPrint fills a ``leader(".")`` with one text box per dot, and draws each box with its own Pango
layout: the contents page of a full brief held about 1,900 of them, a fifth of the render. Once
WeasyPrint has placed the dots, this replaces them with one text box holding the same dots, set
where the leftmost one was, so the page looks the same and is drawn once per leader. The fix
belongs upstream (``weasyprint/layout/leader.py``); the pin ``weasyprint<71`` holds the names used.
"""

from __future__ import annotations

import math
from typing import Any

from weasyprint.layout import inline, leader

_place_dots = inline.handle_leader


def _one_box_per_leader(context: Any, line: Any, containing_block: Any) -> None:
    _place_dots(context, line, containing_block)
    _, box = leader.leader_index(line)
    if box is None or len(box.children) < 2:
        return
    dots = sorted(box.children, key=lambda child: child.position_x)
    first = dots[0]
    merged, _, _ = inline.split_text_box(context, first.copy_with_text(first.text * len(dots)), math.inf, None)
    if merged is None:
        return
    merged.position_x, merged.position_y = first.position_x, first.position_y
    box.children = (merged,)


def install() -> None:
    """Makes WeasyPrint's line layout use one text box per leader; safe to call again."""
    inline.handle_leader = _one_box_per_leader
