"""Ed25519 keys, the keyring of who may sign what when, and the private-key store.

The narrow API: :func:`signing.keys.sign` returns a signature, :func:`signing.keys.verify`
returns None or raises. Private keys never enter the ledger.
"""
