"""The catalog service: categories, products, search, behind a read cache."""

from stampede.store.catalog.service import CatalogService, Product

__all__ = ["CatalogService", "Product"]
