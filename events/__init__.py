"""The event store side: canonical bytes, the signed envelope, storage and the Ledger app."""
