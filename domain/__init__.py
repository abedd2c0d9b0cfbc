"""The domain: parties, their trust registry and (later) the certificate lifecycle.

Nothing here knows about SQL, files, private keys or click. Aggregates check the rules of
the two provincial notices and raise :class:`domain.errors.CertLedgerError` subclasses.
"""
