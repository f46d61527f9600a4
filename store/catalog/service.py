"""Categories and products. Owns the ``catalog`` database.

The modern catalog reads through a cache and indexes category and search
columns; the legacy one (the case study's monolith) has no cache, no such
indexes, and builds listings with one query per product (N+1).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence

import msgspec

from stampede.store.cache import ReadCache
from stampede.store.db import Database, Executor, Row
from stampede.store.web import ApiError

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS categories (
        id INTEGER PRIMARY KEY,
        slug TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS products (
        id INTEGER PRIMARY KEY,
        sku TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        category_id INTEGER NOT NULL REFERENCES categories(id),
        price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
        description TEXT NOT NULL,
        search_text TEXT NOT NULL
    )""",
]
INDEXES = {
    "sqlite": ["CREATE INDEX IF NOT EXISTS products_category ON products (category_id, id)"],
    "postgres": [
        "CREATE INDEX IF NOT EXISTS products_category ON products (category_id, id)",
        "CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public",
        "CREATE INDEX IF NOT EXISTS products_search ON products "
        "USING gin (search_text public.gin_trgm_ops)",
    ],
}
TABLES = ("products", "categories")

_ADJECTIVES = [
    "Classic",
    "Ultra",
    "Eco",
    "Smart",
    "Pro",
    "Compact",
    "Deluxe",
    "Rugged",
    "Silent",
    "Turbo",
    "Vintage",
    "Wireless",
]
_NOUNS = [
    "Kettle",
    "Headphones",
    "Backpack",
    "Lamp",
    "Sneakers",
    "Blender",
    "Watch",
    "Jacket",
    "Speaker",
    "Camera",
    "Mug",
    "Keyboard",
    "Drone",
    "Tent",
]
_CATEGORIES = [
    "Electronics",
    "Home",
    "Kitchen",
    "Fashion",
    "Sports",
    "Toys",
    "Books",
    "Garden",
    "Beauty",
    "Outdoors",
    "Office",
    "Pets",
    "Music",
    "Games",
    "Travel",
]


class Category(msgspec.Struct, frozen=True):
    id: int
    slug: str
    name: str
    product_count: int = 0


class Product(msgspec.Struct, frozen=True):
    id: int
    sku: str
    name: str
    category_id: int
    price_cents: int
    description: str


class ProductPage(msgspec.Struct, frozen=True):
    items: list[Product]
    page: int
    per_page: int
    total: int


_PRODUCT_COLUMNS = "id, sku, name, category_id, price_cents, description"


def _product(row: Row) -> Product:
    return Product(
        id=row["id"],
        sku=row["sku"],
        name=row["name"],
        category_id=row["category_id"],
        price_cents=row["price_cents"],
        description=row["description"],
    )


class CatalogService:
    """Reads go through ``cache`` (single-flight); ``legacy`` reads as the monolith did."""

    def __init__(self, db: Database, cache: ReadCache, *, legacy: bool = False) -> None:
        self.db = db
        self.cache = cache
        self.legacy = legacy
        self._encoder = msgspec.json.Encoder()

    async def setup(self) -> None:
        await self.db.execute_script(SCHEMA if self.legacy else SCHEMA + INDEXES[self.db.dialect])

    async def categories(self) -> list[Category]:
        async def load() -> object:
            rows = await self.db.fetch_all(
                "SELECT c.id, c.slug, c.name, COUNT(p.id) AS product_count FROM categories c "
                "LEFT JOIN products p ON p.category_id = c.id GROUP BY c.id ORDER BY c.id"
            )
            return [Category(**dict(r)) for r in rows]

        return await self.cache.get("categories", load, list[Category])  # type: ignore[arg-type]

    async def category_id(self, ref: str) -> int:
        """A category given by id or slug; 404 when there is none."""
        for category in await self.categories():
            if str(category.id) == ref or category.slug == ref.lower():
                return category.id
        raise ApiError(404, "not_found", f"no category {ref!r}; see GET /api/v1/categories")

    async def product(self, product_id: int) -> Product:
        product = await self.products([product_id])
        if product_id not in product:
            raise ApiError(404, "not_found", f"no product with id {product_id}")
        return product[product_id]

    async def product_json(self, product_id: int) -> bytes:
        """The product's JSON, encoded once per cache lifetime (the hot path of browsing)."""
        key = f"product-json:{product_id}"
        cached = self.cache.peek(key)
        if isinstance(cached, bytes):
            return cached

        async def load() -> bytes:
            return self._encoder.encode(await self.product(product_id))

        return await self.cache.get(key, load, bytes)

    async def products(self, ids: Iterable[int]) -> dict[int, Product]:
        """Products by id (those that exist), cached one by one."""
        found: dict[int, Product] = {}
        for product_id in set(ids):

            async def load(pid: int = product_id) -> Product | None:
                row = await self.db.fetch_one(
                    f"SELECT {_PRODUCT_COLUMNS} FROM products WHERE id = :id", {"id": pid}
                )
                return _product(row) if row is not None else None

            product = await self.cache.get(f"product:{product_id}", load, Product | None)
            if isinstance(product, Product):
                found[product_id] = product
        return found

    async def product_by_sku(self, sku: str) -> Product | None:
        row = await self.db.fetch_one(
            f"SELECT {_PRODUCT_COLUMNS} FROM products WHERE sku = :sku", {"sku": sku}
        )
        return _product(row) if row is not None else None

    async def list_products(self, category: str | None, page: int, per_page: int) -> ProductPage:
        category_id = await self.category_id(category) if category else None

        async def load() -> ProductPage:
            where = "WHERE category_id = :cat" if category_id is not None else ""
            params = {"cat": category_id, "limit": per_page, "offset": (page - 1) * per_page}
            rows = await self.db.fetch_all(
                f"SELECT {'id' if self.legacy else _PRODUCT_COLUMNS} FROM products {where} "
                "ORDER BY id LIMIT :limit OFFSET :offset",
                params,
            )
            total = await self.db.fetch_one(f"SELECT COUNT(*) AS n FROM products {where}", params)
            assert total is not None
            items = await self._one_by_one(rows) if self.legacy else [_product(r) for r in rows]
            return ProductPage(items, page, per_page, total["n"])

        key = f"list:{category_id}:{page}:{per_page}"
        return await self.cache.get(key, load, ProductPage)

    async def _one_by_one(self, rows: Sequence[Row]) -> list[Product]:
        """The legacy listing: one query per product, as an ORM's lazy loading does."""
        products = []
        for row in rows:
            full = await self.db.fetch_one(
                f"SELECT {_PRODUCT_COLUMNS} FROM products WHERE id = :id", {"id": row["id"]}
            )
            await self.db.fetch_one(
                "SELECT name FROM categories WHERE id = :id", {"id": full and full["category_id"]}
            )
            if full is not None:
                products.append(_product(full))
        return products

    async def search(self, query: str, page: int, per_page: int) -> ProductPage:
        terms = query.lower().split()

        async def load() -> ProductPage:
            clauses = (
                " AND ".join(f"search_text LIKE :t{i} ESCAPE '\\'" for i in range(len(terms)))
                or "1 = 1"
            )
            params: dict[str, object] = {
                f"t{i}": f"%{_escape_like(t)}%" for i, t in enumerate(terms)
            }
            params.update(limit=per_page, offset=(page - 1) * per_page)
            rows = await self.db.fetch_all(
                f"SELECT {'id' if self.legacy else _PRODUCT_COLUMNS} FROM products "
                f"WHERE {clauses} ORDER BY id LIMIT :limit OFFSET :offset",
                params,
            )
            total = await self.db.fetch_one(
                f"SELECT COUNT(*) AS n FROM products WHERE {clauses}", params
            )
            assert total is not None
            items = await self._one_by_one(rows) if self.legacy else [_product(r) for r in rows]
            return ProductPage(items, page, per_page, total["n"])

        key = "search:" + " ".join(terms) + f":{page}:{per_page}"
        return await self.cache.get(key, load, ProductPage)

    async def reset(self) -> None:
        async with self.db.transaction() as tx:
            await self.clear(tx)
        await self.cache.clear()

    async def clear(self, tx: Executor) -> None:
        """Delete every category and product inside ``tx`` (the caller clears the cache after)."""
        for table in TABLES:
            await tx.execute(f"DELETE FROM {table}")

    async def fill(
        self,
        tx: Executor,
        categories: int,
        per_category: int,
        extra: Sequence[tuple[str, str, int]],
        seed: int = 7,
    ) -> None:
        """Deterministic categories and products; ``extra`` adds (sku, name, price) to the first.

        Runs inside ``tx``; call :meth:`seeded` once it committed.
        """
        rng = random.Random(seed)
        for c in range(1, categories + 1):
            name = _CATEGORIES[(c - 1) % len(_CATEGORIES)]
            label = name if c <= len(_CATEGORIES) else f"{name} {c}"
            await tx.execute(
                "INSERT INTO categories (id, slug, name) VALUES (:id, :slug, :name)",
                {"id": c, "slug": label.lower().replace(" ", "-"), "name": label},
            )
            for i in range(1, per_category + 1):
                title = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)} {c}-{i}"
                await _insert_product(
                    tx, f"SKU-{c:03d}-{i:04d}", title, c, rng.randrange(199, 49_999)
                )
        for sku, name, price in extra:
            await _insert_product(tx, sku, name, 1, price)

    async def seeded(self) -> None:
        """After a committed :meth:`fill`: ids continue after the seeded rows; nothing stale."""
        await self.db.reset_identity("categories")
        await self.db.reset_identity("products")
        await self.cache.clear()


async def _insert_product(tx: Executor, sku: str, name: str, category_id: int, price: int) -> None:
    description = f"{name}: a flash-sale favourite. SKU {sku}."
    await tx.execute(
        "INSERT INTO products (sku, name, category_id, price_cents, description, search_text) "
        "VALUES (:sku, :name, :cat, :price, :desc, :search)",
        {
            "sku": sku,
            "name": name,
            "cat": category_id,
            "price": price,
            "desc": description,
            "search": f"{name} {description}".lower(),
        },
    )


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
