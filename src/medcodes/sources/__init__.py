"""Sources: one module per code system, turning official release files into vocabulary objects.

A source never touches a store.
"""
