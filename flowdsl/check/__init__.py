"""Checking: symbols, types, the rule context, config and inline ignores, and the one analysis entry point (run)."""
