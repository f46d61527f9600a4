"""Browser: an anonymous visitor on a normal day — home, categories, products, search.

Home, category and product are page views (the document and the page's API
calls, one transaction: scenarios/_page.py); search is the search box's call.
Each page is a visit: one slower than the visitor's patience is abandoned.
"""

from __future__ import annotations

from locust import task

from stampede.scenarios._base import CatalogUser
from stampede.scenarios._page import ApiCall, PageLoad
from stampede.traffic import SEARCH_WORDS


class Browser(CatalogUser):
    behaviour = "browser"

    def on_start(self) -> None:
        self.ensure_catalog()

    @task(10)
    def home(self) -> None:
        with PageLoad(self, "home", "/", "/") as page:
            page.fetch(
                ApiCall("/api/v1/categories", "/api/v1/categories"),
                ApiCall("/api/v1/products?page=1&per_page=20", "/api/v1/products"),
            )
        self.stays(page)

    @task(25)
    def category(self) -> None:
        slug = self.ctx.catalog.random_category(self.rng)
        number = self.rng.randint(1, 5)
        with PageLoad(self, "category", f"/c/{slug}", "/c/[slug]") as page:
            page.fetch(
                ApiCall("/api/v1/categories", "/api/v1/categories"),
                ApiCall(
                    f"/api/v1/products?category={slug}&page={number}&per_page=20",
                    "/api/v1/products?category=[slug]",
                ),
            )
        self.stays(page)

    @task(50)
    def product(self) -> None:
        self.stays(self.product_page(self.ctx.catalog.random_product(self.rng)))

    @task(15)
    def search(self) -> None:
        word = self.rng.choice(SEARCH_WORDS)
        self.call("GET", f"/api/v1/search?q={word}", "/api/v1/search")
