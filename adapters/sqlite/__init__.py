"""The embedded default store: every store port over one SQLite file, with zero setup."""

from adapters.sqlite.errors import StoreUnavailable
from adapters.sqlite.stores import SqliteStores, open_sqlite_stores

__all__ = ["SqliteStores", "StoreUnavailable", "open_sqlite_stores"]
