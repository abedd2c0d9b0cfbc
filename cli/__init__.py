"""The ``certledger`` command: a thin click shell over the Ledger application."""
