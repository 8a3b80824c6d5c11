"""Benchmarks that show the speed targets are met; run them as documented in benchmarks/README.md."""
