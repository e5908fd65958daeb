"""Stores: where built releases live. SQLite is the embedded default."""
