"""Benchmarks for planbot at national scale: a synthetic-warehouse generator and a runner.

Kept out of the test suite on purpose: these take minutes and measure, they do not assert.
"""
