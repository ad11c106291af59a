"""Benchmarks (make bench): not collected by the test suite (testpaths = tests)."""
