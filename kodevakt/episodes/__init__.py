"""Coded episodes: the model and the readers for every input format."""
