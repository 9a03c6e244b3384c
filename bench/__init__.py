"""Jiansuo's benchmarks, each run from the project's root as `python -m bench.NAME ...` (`--help` says what
it measures and how). `bench.common` holds what they share; nothing in the package or the tests imports them.
"""
