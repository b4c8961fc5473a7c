"""Placeholder: P rules."""
