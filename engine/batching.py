"""Batches of the scheduled actions: their size follows the time they take.

Plain numbers in, a size out. The rule: a batch of `size` records took `seconds`; the next one
aims at `budget` seconds at the same pace, but grows at most twofold (the pace of a few records
says little), never falls under one record and never exceeds the maximum.
"""


def next_size(size, seconds, budget, max_size):
    """The size of the next batch (see the module's rule)."""
    if seconds <= 0:
        return max(1, min(size * 2, max_size))
    per_record = seconds / max(size, 1)
    return max(1, min(int(budget / per_record), size * 2, max_size))
