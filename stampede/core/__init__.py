"""Stampede's core: errors, the run directory and its records, measurement.

Everything else in Stampede imports from here; nothing here imports any
other part of Stampede, nor ``locust``.
"""
