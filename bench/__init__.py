"""Benchmarks: `python -m bench` runs each module and prints its figures as ratios.

Every figure is printed next to a baseline measured in the same run, so numbers
from different machines (or a busy laptop) can still be compared.
"""
