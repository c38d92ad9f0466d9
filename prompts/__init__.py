"""Prompt text as plain files, shipped in the distribution and read with importlib.resources."""
