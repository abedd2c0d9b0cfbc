"""The rules as deciders (issue 22): for each kind of stream, pure functions over plain frozen
data — ``decide(state, command) -> events`` (raising the same refusals as the aggregates)
and ``evolve(state, event) -> state``. No I/O, no clock, no eventsourcing base classes.

They are being built beside the aggregates, one stream kind at a time, and compared with
them on every demo ledger by the tests (tests/test_deciders.py) before anything calls them:
the write path, ``verify``'s replay and rebuild switch to them only once every kind agrees.
"""
