"""Pages rendered once per step and language, with holes for what differs per respondent.

A wizard step page is the same for every respondent who sees that step in that
language but for a few values: the CSRF token, the fields (their values, errors and
visibility) and the resume link. Rendering the whole template cost more than the rest
of the request, so the page around those holes (the frame) is rendered once, kept per
app under a key naming everything else the template reads, and filled on each request.

A hole is passed like any template variable: a string (the template escapes it), a
`Markup` (inserted as is) or a function the template calls without arguments (its
result is escaped). Templates must print holes as they are: a hole that does not come
out verbatim (filtered, sliced, tested) leaves that page uncached, never wrong.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template, session
from markupsafe import Markup, escape

# Frames kept per app; emptied when full (there are a few per step and language).
MAX_FRAMES = 512


@dataclass(frozen=True)
class Frame:
    """A rendered page cut at its holes: literal text, then a hole's name, and so on."""

    parts: tuple[str, ...]

    def fill(self, holes: Mapping[str, Any]) -> str:
        """The page with each hole's value in its place."""
        values = {name: _as_html(value) for name, value in holes.items()}
        return "".join(values[part] if index % 2 else part for index, part in enumerate(self.parts))


_NOT_RENDERED: Any = object()


def render_page(template: str, key: Hashable, holes: Mapping[str, Any], **context: Any) -> str:
    """`render_template(template, **context, **holes)`, the frame kept under `key`.

    `key` must name every value of `context` and of the request the template reads;
    pages with flashed messages, and apps that reload their templates, are rendered
    whole every time.
    """
    app = current_app
    if app.jinja_env.auto_reload or "_flashes" in session:
        return render_template(template, **context, **holes)
    frames: dict[tuple[str, Hashable], Frame | None]
    frames = app.extensions.setdefault("assess.web.page_frames", {})
    cache_key = (template, key)
    frame = frames.get(cache_key, _NOT_RENDERED)
    if frame is _NOT_RENDERED:
        frame = _render_frame(template, holes, context)
        if len(frames) >= MAX_FRAMES:
            frames.clear()
        frames[cache_key] = frame
    if frame is None:
        return render_template(template, **context, **holes)
    return frame.fill(holes)


def _render_frame(
    template: str, holes: Mapping[str, Any], context: Mapping[str, Any]
) -> Frame | None:
    """The template rendered with a marker in each hole, cut at the markers; None when a
    marker did not come out verbatim."""
    tag = secrets.token_hex(8)
    markers = {name: f"@@hole-{tag}-{name}@@" for name in holes}
    stand_ins = {name: _stand_in(value, markers[name]) for name, value in holes.items()}
    html = render_template(template, **context, **stand_ins)
    if any(marker not in html for marker in markers.values()):
        return None
    by_marker = {marker: name for name, marker in markers.items()}
    pieces = re.split("(" + "|".join(map(re.escape, by_marker)) + ")", html)
    return Frame(
        tuple(by_marker[piece] if index % 2 else piece for index, piece in enumerate(pieces))
    )


def _stand_in(value: Any, marker: str) -> Any:
    if isinstance(value, Markup):
        return Markup(marker)  # noqa: S704 - a marker of letters, digits and @
    if callable(value):
        return _returning(marker)
    return marker


def _returning(marker: str) -> Callable[[], str]:
    return lambda: marker


def _as_html(value: Any) -> str:
    if isinstance(value, Markup):
        return str(value)
    if callable(value):
        value = value()
    return str(escape(value))
