"""The app as benchmarks serve it, plus a bare "hello" route: the baseline of the same server."""

from __future__ import annotations

from assess import create_app

app = create_app()


@app.get("/bench/hello")
def hello() -> str:
    """The cheapest response the server can give: the baseline."""
    return "hello"
