"""The outbox rows' states: every state the code writes or reads has its words."""

from __future__ import annotations

import ast

from flask_babel import force_locale

from assess.outbox import rows
from tests.helpers.source_scan import trees


def states_in_the_code() -> set[str]:
    """Each string the outbox gives a row's `status` (status=..., x.status = ..., ==)."""
    found: set[str] = set()
    for _path, tree in trees("outbox"):
        for node in ast.walk(tree):
            values: list[ast.expr] = []
            if isinstance(node, ast.keyword) and node.arg == "status":
                values = [node.value]
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Attribute) and t.attr == "status" for t in node.targets
            ):
                values = [node.value]
            if isinstance(node, ast.Compare) and getattr(node.left, "attr", None) == "status":
                values = list(node.comparators)
            found |= {v.value for v in values if isinstance(v, ast.Constant)}
    return found


def test_every_state_of_an_outbox_row_has_a_label():
    states = states_in_the_code()
    assert {"pending", "sending", "sent", "failed"} <= states
    assert states <= set(rows.STATE_LABELS)


def test_a_state_reads_in_french(make_app):
    app = make_app()
    with app.test_request_context(), force_locale("fr"):
        assert rows.state_label("pending") == "En attente d'envoi"
        assert rows.state_label("failed") == "Échec"
        assert rows.state_label("lost-in-space") == "État inconnu"
