"""Firestore adapters: the production stores, over google-cloud-firestore's AsyncClient."""

from __future__ import annotations

from adapters.firestore.stores import FirestoreStores

__all__ = ["FirestoreStores"]
