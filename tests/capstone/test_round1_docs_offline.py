"""Round 1 (guard): Swagger UI and ReDoc work offline, served by the app itself.

The playbook's first move is to open Swagger UI. FastAPI's own /docs page loads its JavaScript and
CSS from a CDN, so without a network it is a blank page. The starter (and the reference) serve both
pages from files shipped in a package, so every asset a page references is a path on the app.

The client is an ``httpx.ASGITransport``: requests go straight into the app, never to a socket, so
nothing here can reach the network; an asset that the app does not serve is a 404, and a page that
names an outside URL fails the first assertion.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.capstone.helpers import running_app

PAGES = ("/docs", "/redoc")
EXTERNAL = re.compile(r"""(?:https?:)?//[\w.-]+""", re.IGNORECASE)


class _Assets(HTMLParser):
    """Every URL a page loads: ``<script src>``, ``<link href>``, ``<img src>``."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"script": "src", "link": "href", "img": "src"}.get(tag)
        for name, value in attrs:
            if name == wanted and value:
                self.urls.append(value)


def _assets(html: str) -> list[str]:
    parser = _Assets()
    parser.feed(html)
    return parser.urls


@pytest.mark.guard
@pytest.mark.parametrize("page", PAGES, ids=["swagger-ui", "redoc"])
async def test_the_api_docs_load_everything_from_the_app(db, page):
    async with running_app(db.url) as client:
        response = await client.get(page)
        assert response.status_code == 200, f"GET {page} answered {response.status_code}"
        html = response.text
        outside = EXTERNAL.findall(html)
        assert not outside, f"{page} names outside URLs {outside}: serve the assets from the app (fastapi-offline)"
        assets = _assets(html)
        assert any(url.endswith(".js") for url in assets), f"{page} loads no script: {assets}"
        if page == "/docs":
            assert any(url.endswith(".css") for url in assets), f"{page} loads no stylesheet: {assets}"
        for url in assets:
            asset = await client.get(url)
            assert asset.status_code == 200, f"{page} references {url}, which the app answers {asset.status_code}"
            assert asset.content, f"{url} is empty"
        schema = await client.get("/openapi.json")
    assert schema.status_code == 200
    assert "openapi.json" in html, f"{page} must load the app's own /openapi.json"
