"""What a process has learned of the target's catalog: categories, product ids, the flash SKU.

Discovered once per process through the public API (any store with our
contract answers it) and shared by the users of that process.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

SEARCH_WORDS = (
    "kettle",
    "headphones",
    "backpack",
    "lamp",
    "sneakers",
    "blender",
    "watch",
    "jacket",
    "speaker",
    "camera",
    "smart",
    "eco",
    "pro",
    "wireless",
    "deal",
)


@dataclass
class CatalogView:
    categories: tuple[str, ...] = ()
    product_count: int = 0
    flash_product_id: int | None = None

    @property
    def known(self) -> bool:
        return bool(self.categories) and self.product_count > 0

    def learn_categories(self, body: object) -> None:
        if isinstance(body, list):
            slugs = [c["slug"] for c in body if isinstance(c, dict) and "slug" in c]
            counts = [int(c.get("product_count", 0)) for c in body if isinstance(c, dict)]
            if slugs:
                self.categories = tuple(slugs)
                self.product_count = sum(counts)

    def learn_flash(self, body: object, sku: str) -> None:
        items = body.get("items", []) if isinstance(body, dict) else []
        for item in items:
            if isinstance(item, dict) and item.get("sku") == sku:
                self.flash_product_id = int(item["id"])

    def random_product(self, rng: random.Random) -> int:
        return rng.randint(1, max(1, self.product_count))

    def random_category(self, rng: random.Random) -> str:
        return rng.choice(self.categories) if self.categories else ""
