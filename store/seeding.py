"""What a seed may ask for: every field checked before anything is written.

The columns are 64-bit integers and the stock route accepts SKUs of one alphabet,
so a seed the store could not serve (a price whose order total overflows, a SKU no
URL can reach, a NUL in a name, a SKU twice) is refused here, never half-written.
"""

from __future__ import annotations

import re

import msgspec

from stampede.store.config import FlashSku, SeedSpec

#: the SKUs ``GET /api/v1/stock/{sku}`` can name
SKU_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")
#: a generated product's SKU (``SKU-001-0001``): flash SKUs must not take one
_REGULAR_SKU = re.compile(r"SKU-(\d{3})-(\d{4})")
#: units of one SKU, and one unit's price: a cart's total (≤ 99 units of each of at most
#: 1,000,000 products) then stays far inside a 64-bit integer
MAX_STOCK = 10**9
MAX_PRICE_CENTS = 10**9
MAX_FLASH_SKUS = 1000
MAX_NAME_CHARS = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

_LIMITS = {
    "categories": (1, 1000),
    "products": (1, 10_000),
    "users": (0, 1_000_000),
    "stock_per_product": (0, MAX_STOCK),
}


class SeedRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The body of ``POST /admin/seed``; every field has the default of a fresh store."""

    categories: int = 10
    products: int = 100
    users: int = 10_000
    stock_per_product: int = 10_000
    flash: list[FlashSku] | None = None

    def spec(self) -> SeedSpec:
        flash = tuple(self.flash) if self.flash is not None else SeedSpec().flash
        return SeedSpec(self.categories, self.products, self.users, self.stock_per_product, flash)


class SeedRefused(Exception):
    """A seed the store will not write: ``status`` 422 (a bad value) or 409 (a SKU twice)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _whole(name: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise SeedRefused(422, f"`{name}` is {value}; expected a whole number from {low} to {high}")


def _check_flash(i: int, f: FlashSku) -> None:
    where = f"flash[{i}]"
    if not SKU_PATTERN.fullmatch(f.sku):
        raise SeedRefused(
            422,
            f"`{where}.sku` is {f.sku[:80]!r}; expected 1 to 64 letters, digits, '.', '_' "
            "or '-' (what /api/v1/stock/{sku} accepts)",
        )
    _whole(f"{where}.stock", f.stock, 0, MAX_STOCK)
    _whole(f"{where}.price_cents", f.price_cents, 0, MAX_PRICE_CENTS)
    if f.limit_per_user is not None:
        _whole(f"{where}.limit_per_user", f.limit_per_user, 1, MAX_STOCK)
    if not 1 <= len(f.name) <= MAX_NAME_CHARS or _CONTROL.search(f.name) or not f.name.strip():
        raise SeedRefused(
            422,
            f"`{where}.name` is {f.name[:80]!r}; expected 1 to {MAX_NAME_CHARS} characters, "
            "not only blanks, without control characters",
        )


def check_seed(spec: SeedSpec) -> None:
    """Raise :class:`SeedRefused` naming the first field the store cannot seed as asked."""
    for name, (low, high) in _LIMITS.items():
        _whole(name, getattr(spec, name), low, high)
    if spec.categories * spec.products > 1_000_000:
        raise SeedRefused(422, "at most 1,000,000 products in all (categories × products)")
    if len(spec.flash) > MAX_FLASH_SKUS:
        raise SeedRefused(
            422, f"`flash` has {len(spec.flash)} entries; expected at most {MAX_FLASH_SKUS}"
        )
    seen: set[str] = set()
    for i, f in enumerate(spec.flash):
        _check_flash(i, f)
        if f.sku in seen:
            raise SeedRefused(409, f"`flash[{i}].sku` {f.sku!r} is given twice; SKUs are unique")
        regular = _REGULAR_SKU.fullmatch(f.sku)
        if (
            regular
            and 1 <= int(regular[1]) <= spec.categories
            and 1 <= int(regular[2]) <= (spec.products)
        ):
            raise SeedRefused(
                409, f"`flash[{i}].sku` {f.sku!r} is a generated product's SKU; choose another"
            )
        seen.add(f.sku)
