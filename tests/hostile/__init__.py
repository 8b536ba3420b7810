"""Hostile-input tests (issue 6): one module per family of attack, inputs built at test time."""
