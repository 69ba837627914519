"""A simulated alibaba account for the demo, the tests and the benchmarks: not part of the adapter.

The adapter never imports this package; the CLI's demo and the tests do.
"""
