"""The code the consultancy pastes into its own site to embed the diagnostic.

An iframe, and a listener that fits the frame's height to the content: the diagnostic's
pages post `{type: "assess:height", height}` to the origins in FRAME_ANCESTORS only
(static/js/embed.js), and the listener accepts messages from the diagnostic's origin only.
"""

from __future__ import annotations

import html
import json
from urllib.parse import urlsplit

_SNIPPET = """<iframe id="assess-diagnostic" src="{src}" title="{title}"
  style="width: 100%; min-height: 640px; border: 0;" loading="lazy"></iframe>
<script>
  window.addEventListener("message", function (event) {{
    if (event.origin !== {origin}) return;
    var data = event.data || {{}};
    if (data.type === "assess:height" && typeof data.height === "number") {{
      document.getElementById("assess-diagnostic").style.height = Math.ceil(data.height) + "px";
    }}
  }});
</script>"""


def origin_of(url: str) -> str:
    """scheme://host[:port] of an address."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def snippet(src: str, title: str) -> str:
    """The HTML to paste where the diagnostic should appear: a frame on `src`, the full
    address of its landing page."""
    return _SNIPPET.format(
        src=html.escape(src, quote=True),
        title=html.escape(title, quote=True),
        origin=json.dumps(origin_of(src)),
    )
