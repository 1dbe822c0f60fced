"""symopt's benchmarks: ``python -m benchmarks`` (``--quick`` for a small run)."""
