"""HTML to PDF with WeasyPrint, fetching nothing but our own static files.

The report quotes what respondents typed. Everything they give is escaped by
the templates, and as a second wall the URL fetcher serves only files under
`static/` (and `data:` URLs): no network, no redirects, no `file://` elsewhere.
Measured on these machines: WeasyPrint's default fetcher embedded a local file
from `<link rel=attachment href=file://...>`.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse


class StaticOnlyFetcher(URLFetcher):
    """Serves files under one folder and `data:` URLs; refuses everything else."""

    def __init__(self, root: str | Path):
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False, timeout=2)
        self.root = Path(root).resolve()

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """The file under the root that `url` names, or a refusal (ValueError)."""
        if url.startswith("data:"):
            return super().fetch(url, headers)
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in {"", "localhost"}:
            raise ValueError(f"refused to fetch {url[:80]}")
        path = Path(url2pathname(parts.path)).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise ValueError(f"refused to fetch {url[:80]}")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": mime})


def html_to_pdf(html: str, static_folder: str | Path) -> bytes:
    """Print HTML whose relative URLs point into the static folder, as tagged PDF/UA-1."""
    root = Path(static_folder).resolve()
    document = HTML(string=html, base_url=root.as_uri() + "/", url_fetcher=StaticOnlyFetcher(root))
    pdf: bytes = document.write_pdf(pdf_variant="pdf/ua-1")
    return pdf
