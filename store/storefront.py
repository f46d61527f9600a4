"""The storefront's documents: the HTML a browser loads before the page's API calls.

A page of the shop is a document, the same small HTML shell for every page
type, whose script then fetches the page's data from the API (a product page:
the product, its stock, more of its category and the cart). The shell is static
in both architectures, so a page view's time beyond the document is the API's;
``stampede.scenarios`` times the document and those calls as one page view.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from stampede.store.web import ApiRoute

#: the page types and the path of each one's document
PAGES = {
    "home": "/",
    "category": "/c/{slug}",
    "product": "/p/{product_id}",
    "cart": "/cart",
}

_SHELL = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Stampede reference store</title>
<style>body{font:16px system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem}</style>
</head><body data-page="%s">
<header><a href="/">Stampede store</a> · <a href="/cart">Cart</a></header>
<main id="page" aria-busy="true">Loading…</main>
<script>/* the page's data comes from /api/v1: see the page type in data-page */</script>
</body></html>
"""
_DOCUMENTS = {page: (_SHELL % page).encode() for page in PAGES}


def _document(page: str) -> ApiRoute:
    body = _DOCUMENTS[page]

    async def serve(request: Request) -> Response:
        return HTMLResponse(body, headers={"Cache-Control": "no-cache"})

    return ApiRoute("GET", PAGES[page], serve, f"The {page} page's HTML document")


#: a route per page type, each answering its HTML document
ROUTES = [_document(page) for page in PAGES]
