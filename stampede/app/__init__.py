"""Stampede's application: the commands, the runner, planning, the probe and chaos.

It sits on top of every other part and is imported by nothing but ``cli.py``.
"""
