"""Browser: an anonymous visitor on a normal day — home, categories, products, search."""

from __future__ import annotations

from locust import task

from stampede.scenarios._base import CatalogUser
from stampede.traffic import SEARCH_WORDS


class Browser(CatalogUser):
    behaviour = "browser"

    def on_start(self) -> None:
        self.ensure_catalog()

    @task(10)
    def home(self) -> None:
        self.call("GET", "/api/v1/categories", "/api/v1/categories")
        self.call("GET", "/api/v1/products?page=1&per_page=20", "/api/v1/products")

    @task(25)
    def category(self) -> None:
        slug = self.ctx.catalog.random_category(self.rng)
        page = self.rng.randint(1, 5)
        self.call(
            "GET",
            f"/api/v1/products?category={slug}&page={page}&per_page=20",
            "/api/v1/products?category=[slug]",
        )

    @task(50)
    def product(self) -> None:
        self.view_product(self.ctx.catalog.random_product(self.rng))

    @task(15)
    def search(self) -> None:
        word = self.rng.choice(SEARCH_WORDS)
        self.call("GET", f"/api/v1/search?q={word}", "/api/v1/search")
