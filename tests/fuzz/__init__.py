"""symdiff's fuzz harness (see harness.py); `python -m tests.fuzz [--long]`."""
