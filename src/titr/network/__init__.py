"""Corridor data model, attribute table, bundled datasets, I/O and consistency checks."""
