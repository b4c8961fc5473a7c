"""Kodevakt on Apache Spark (placeholder docstring, rewritten below)."""
