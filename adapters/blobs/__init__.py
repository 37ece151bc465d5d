"""Blob stores: media bytes kept by their SHA-256."""
