"""Placeholder: filled in by its rule family's author."""
