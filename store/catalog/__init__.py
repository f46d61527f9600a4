"""The catalog service: categories, products, search, behind a read cache."""

from store.catalog.service import CatalogService, Product

__all__ = ["CatalogService", "Product"]
