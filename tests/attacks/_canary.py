"""Imported only if something imports a module named by a stored row: a canary for
test_topics.py. Importing it has no effect but being imported."""

IMPORTED = True


class Anything:
    pass
