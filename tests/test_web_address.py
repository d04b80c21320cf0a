"""Which "next" addresses send a visitor back into the site (core/web_address.py)."""

from __future__ import annotations

import pytest

from assess.core.web_address import is_local_path


@pytest.mark.parametrize("target", ["/", "/step/entreprise?x=1", "/results/abc#top"])
def test_paths_of_this_site_are_kept(target):
    assert is_local_path(target)


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "step",
        "//evil.example",
        "/\\evil.example",
        "https://evil.example/",
        "/\r",  # a line break cannot stand in a Location header (found by the fuzz test)
        "/\nSet-Cookie: x=1",
        "/a\x00b",
        "/a\x7fb",
    ],
)
def test_other_sites_and_header_breakers_are_refused(target):
    assert not is_local_path(target)


def test_a_prefix_keeps_the_back_office_inside_itself():
    assert is_local_path("/backoffice/today", under="/backoffice")
    assert not is_local_path("/results/x", under="/backoffice")
    assert not is_local_path("/backoffice/\r", under="/backoffice")
