"""Pages rendered once per step and language, with holes for what differs per respondent.

A wizard step page is the same for every respondent who sees that step in that
language but for a few values: the CSRF token, the fields (their values, errors and
visibility) and the resume link. The page around those holes (the frame) is rendered
once, kept per app, and filled on each request.

The frame's key is derived, never listed by the caller: it holds the template, the
language, the scheme, host and root path url_for builds URLs from, and the value of
every other name the template and the templates it extends, includes or imports read,
wherever it comes from:

- values passed by the caller: plain data (strings, numbers, lists, dicts) by value,
  other objects by identity (they must not change while the app runs, as a loaded
  questionnaire does not);
- values a context processor injects: plain data by value; any other object (a
  function, the logged-in user) leaves the page uncached;
- `request`, `session` and `g`: the attributes and items the template reads on them,
  with their values (a read that gives something other than plain data, or any other
  use of these objects, leaves the page uncached);
- Jinja's and Flask's globals: those in `FRAME_SAFE_GLOBALS` only; any other (a CSP
  nonce, a CSRF token that is not a hole) leaves the page uncached.

So a per-request value is either a hole, or part of the key, or the page is rendered
for this request alone: never served from another respondent's frame. Filters and tests
must depend on nothing but their arguments and the language.

A hole is passed like any template variable: a string (the template escapes it), a
`Markup` (inserted as is) or a function the template calls without arguments (its
result is escaped). Templates must print holes as they are: a hole that does not come
out verbatim (filtered, sliced, tested) leaves that page uncached, never wrong.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, g, render_template, request, session
from jinja2 import nodes
from markupsafe import Markup, escape

from assess.i18n import current_locale

# Frames kept per app; emptied when full (there are a few per step and language).
MAX_FRAMES = 512
# Globals a frame may use: they depend on nothing but their arguments, the app, the
# language and (url_for) the request's scheme, host and root path, all in every key.
FRAME_SAFE_GLOBALS = frozenset(
    {
        "_",
        "gettext",
        "ngettext",
        "pgettext",
        "npgettext",
        "url_for",
        "config",
        "get_flashed_messages",  # pages with flashed messages are never cached
        "range",
        "dict",
        "cycler",
        "joiner",
        "namespace",
    }
)
# Per-request objects whose plain attributes and items a frame records as part of its key.
RECORDED = ("request", "session", "g")
# Names Jinja itself provides inside a template.
_JINJA_NAMES = frozenset({"loop", "self", "super", "caller", "varargs", "kwargs"})
_EXTENSION = "assess.page_frames"


@dataclass(frozen=True)
class Frame:
    """A rendered page cut at its holes: literal text, then a hole's name, and so on."""

    parts: tuple[str, ...]

    def fill(self, holes: Mapping[str, Any]) -> str:
        """The page with each hole's value in its place."""
        values = {name: _as_html(value) for name, value in holes.items()}
        return "".join(values[part] if index % 2 else part for index, part in enumerate(self.parts))


@dataclass
class _Store:
    """An app's frames: the recorded reads seen for each key, and the frames under
    (key, reads, their values)."""

    reads: dict[Hashable, list[tuple[tuple[str, str, Any], ...]]] = field(default_factory=dict)
    frames: dict[Hashable, Frame | None] = field(default_factory=dict)
    names: dict[str, tuple[str, ...] | None] = field(default_factory=dict)


_NOT_RENDERED: Any = object()
_UNCACHEABLE: Any = object()
_MISSING: Any = object()


def render_page(template: str, holes: Mapping[str, Any], **context: Any) -> str:
    """`render_template(template, **context, **holes)`, from a frame kept under a key
    derived from everything but the holes that the template reads.

    Pages with flashed messages, and apps that reload their templates, are rendered
    whole every time.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if app.jinja_env.auto_reload or "_flashes" in session:
        return render_template(template, **context, **holes)
    store: _Store = app.extensions.setdefault(_EXTENSION, _Store())
    key, recorded = _key(app, store, template, holes, context)
    if key is _UNCACHEABLE:
        return render_template(template, **context, **holes)
    for reads in store.reads.get(key, ()):
        frame = store.frames.get((key, reads, _values_now(reads)), _NOT_RENDERED)
        if frame is not _NOT_RENDERED:
            break
    else:
        frame, log = _render_frame(template, holes, context, recorded)
        if log.opaque:
            # Read something that cannot be keyed: right for this request, kept for none.
            return frame.fill(holes) if frame else render_template(template, **context, **holes)
        reads = tuple(log.values)
        if len(store.frames) >= MAX_FRAMES:
            store.frames.clear()
            store.reads.clear()
        variants = store.reads.setdefault(key, [])
        if reads not in variants:
            variants.append(reads)
        store.frames[(key, reads, tuple(log.values.values()))] = frame
    if frame is None:
        return render_template(template, **context, **holes)
    return frame.fill(holes)


def _key(
    app: Flask,
    store: _Store,
    template: str,
    holes: Mapping[str, Any],
    context: Mapping[str, Any],
) -> tuple[Any, tuple[str, ...]]:
    """The frame's key and the per-request objects it records reads on; `_UNCACHEABLE`
    when the template reads a value that can be neither."""
    if template not in store.names:
        store.names[template] = _names_read(app, template)
    names = store.names[template]
    if names is None:
        return _UNCACHEABLE, ()
    # The language (gettext and the filters read it) and what url_for builds URLs from.
    parts: list[Any] = [
        template,
        current_locale(),
        request.scheme,
        request.host,
        request.root_path,
    ]
    recorded = []
    injected: dict[str, Any] | None = None
    for name in names:
        if name in holes:
            continue
        if name in context:
            parts.append((name, _frozen(context[name], by_identity=True)))
            continue
        if name in RECORDED:
            recorded.append(name)
            continue
        if injected is None:
            injected = {}
            app.update_template_context(injected)
        if name in injected:
            value = _frozen(injected[name], by_identity=False)
            if value is _UNCACHEABLE:
                return _UNCACHEABLE, ()
            parts.append((name, value))
        elif name in app.jinja_env.globals:
            if name not in FRAME_SAFE_GLOBALS:
                return _UNCACHEABLE, ()
        else:
            parts.append((name, _MISSING))
    return tuple(parts), tuple(recorded)


def _names_read(app: Flask, template: str) -> tuple[str, ...] | None:
    """Every name the template and the templates it pulls in load (a superset of what
    they read from outside), sorted; None when one of them is chosen at render time."""
    env = app.jinja_env
    names: set[str] = set()
    pending, seen = [template], set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        if env.loader is None:
            return None
        tree = env.parse(env.loader.get_source(env, name)[0])
        names.update(node.name for node in tree.find_all(nodes.Name) if node.ctx == "load")
        references = (nodes.Extends, nodes.Include, nodes.Import, nodes.FromImport)
        for reference in tree.find_all(references):
            target = reference.template  # type: ignore[attr-defined]
            if not isinstance(target, nodes.Const) or not isinstance(target.value, str):
                return None
            pending.append(target.value)
    return tuple(sorted(names - _JINJA_NAMES))


class _Identity:
    """An object in a key by identity; the key holds it, so its id is never reused."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __hash__(self) -> int:
        return id(self.value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Identity) and other.value is self.value


def _frozen(value: Any, by_identity: bool) -> Any:
    """A hashable stand-in equal for values that print the same: plain data by value
    (with its type: 1, 1.0 and True print differently), other objects by identity, or
    `_UNCACHEABLE` when `by_identity` is false."""
    if value is None or isinstance(value, (str, int, float, bytes)):
        return (type(value), value)
    if type(value) in (tuple, list):
        items = tuple(_frozen(item, by_identity) for item in value)
        return _UNCACHEABLE if _UNCACHEABLE in items else (type(value), items)
    if type(value) is dict:
        pairs = tuple((_frozen(k, by_identity), _frozen(v, by_identity)) for k, v in value.items())
        flat = [part for pair in pairs for part in pair]
        return _UNCACHEABLE if _UNCACHEABLE in flat else (dict, pairs)
    return _Identity(value) if by_identity else _UNCACHEABLE


class _ReadLog:
    """What a frame's render read on the per-request objects, in order, with the values."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, str, Any], Any] = {}
        self.opaque = False

    def read(self, name: str, kind: str, key: Any, target: Any) -> Any:
        try:
            value = _read(target, kind, key)
        except (LookupError, AttributeError):
            self.values.setdefault((name, kind, key), _MISSING)
            raise
        frozen = _frozen(value, by_identity=False)
        if frozen is _UNCACHEABLE:
            self.opaque = True
        else:
            self.values.setdefault((name, kind, key), frozen)
        return value


def _read(target: Any, kind: str, key: Any) -> Any:
    return getattr(target, key) if kind == "attr" else target[key]


def _values_now(reads: tuple[tuple[str, str, Any], ...]) -> tuple[Any, ...]:
    """The values the recorded reads give in this request."""
    objects = {"request": request, "session": session, "g": g}
    values = []
    for name, kind, key in reads:
        try:
            values.append(_frozen(_read(objects[name], kind, key), by_identity=False))
        except (LookupError, AttributeError):
            values.append(_MISSING)
    return tuple(values)


class _Recording:
    """A per-request object as a frame's template sees it: attribute and item reads
    are logged; any other use (truth, iteration, printing) marks the log opaque."""

    __slots__ = ("_log", "_name", "_target")

    def __init__(self, name: str, target: Any, log: _ReadLog) -> None:
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_log", log)

    def __getattr__(self, attribute: str) -> Any:
        return self._log.read(self._name, "attr", attribute, self._target)

    def __getitem__(self, key: Any) -> Any:
        return self._log.read(self._name, "item", key, self._target)

    def _opaque(self) -> Any:
        self._log.opaque = True
        return self._target

    def __bool__(self) -> bool:
        return bool(self._opaque())

    def __len__(self) -> int:
        return len(self._opaque())

    def __iter__(self) -> Any:
        return iter(self._opaque())

    def __contains__(self, item: Any) -> bool:
        return item in self._opaque()

    def __str__(self) -> str:
        return str(self._opaque())

    def __html__(self) -> str:
        return str(escape(self._opaque()))

    def __eq__(self, other: object) -> bool:
        return bool(self._opaque() == other)

    __hash__ = None  # type: ignore[assignment]


def _render_frame(
    template: str,
    holes: Mapping[str, Any],
    context: Mapping[str, Any],
    recorded: tuple[str, ...],
) -> tuple[Frame | None, _ReadLog]:
    """The template rendered with a marker in each hole, cut at the markers (None when a
    marker did not come out verbatim), and what it read on the per-request objects."""
    log = _ReadLog()
    objects = {"request": request, "session": session, "g": g}
    recordings = {
        name: _Recording(name, objects[name]._get_current_object(), log)  # type: ignore[attr-defined]
        for name in recorded
    }
    tag = secrets.token_hex(8)
    markers = {name: f"@@hole-{tag}-{name}@@" for name in holes}
    stand_ins = {name: _stand_in(value, markers[name]) for name, value in holes.items()}
    html = render_template(template, **context, **recordings, **stand_ins)
    if any(marker not in html for marker in markers.values()):
        return None, log
    by_marker = {marker: name for name, marker in markers.items()}
    pieces = re.split("(" + "|".join(map(re.escape, by_marker)) + ")", html)
    frame = Frame(
        tuple(by_marker[piece] if index % 2 else piece for index, piece in enumerate(pieces))
    )
    return frame, log


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
