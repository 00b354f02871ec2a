"""Benchmarks: figures measured on this machine, printed as Markdown (`python -m bench.coldstart`)."""
