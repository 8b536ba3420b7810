"""Fuzz harnesses (atheris) for every parser clonedetect owns or wraps; see run.py and README.md."""
