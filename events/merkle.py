"""The Merkle log over the whole ledger: RFC 9162 hashing, proofs and their verification.

Why: per-row checks (signatures, chain links) cannot see rows removed from the end of a
stream or of the ledger. A Merkle tree over every event in notification order, whose root
at some size is signed in a checkpoint, can: an inclusion proof shows one event is in the
tree a checkpoint names, and a consistency proof shows a later tree extends an earlier one
unchanged — so a deleted, rewritten, reordered or truncated event breaks a proof.

Hashing is RFC 9162 §2.1.1 with SHA-256: a leaf is ``SHA-256(0x00 ‖ d)`` where ``d`` is the
32 raw bytes of an event's digest (:func:`events.envelope.digest`, SHA-256 of its stored
state), an interior node is ``SHA-256(0x01 ‖ left ‖ right)``, the empty tree is SHA-256 of
nothing.

Pure functions, no I/O. The proofs are built from *stored subtree hashes*, never by
recomputing the tree: the caller passes ``hash_at(level, index)``, the hash of the perfect
subtree of ``2**level`` leaves that starts at leaf ``index * 2**level`` — what a tile store
(C2SP tlog-tiles) holds. A perfect subtree never changes once its last leaf is appended, so
the same store answers for every past tree size; the proofs only ask for subtrees that lie
wholly inside the tree they speak of, O(log n) of them.

Errors: :class:`InputError` for arguments that describe no tree (a negative size, an index
past the end, a hash that is not 32 bytes); :class:`TamperError` for a proof that does not
hold (wrong length, wrong hashes, roots that do not match).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import NamedTuple

from certledger.domain.errors import InputError, TamperError

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
"""MTH({}): the root of the tree of no leaves (RFC 9162 §2.1.1)."""

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"
_SIZE_BYTES = 8  # a Frontier's serialised size: big-endian uint64

HashAt = Callable[[int, int], bytes]
"""``hash_at(level, index)``: the stored hash of the perfect subtree of ``2**level`` leaves
starting at leaf ``index * 2**level``."""


class Subtree(NamedTuple):
    """A perfect subtree: ``2**level`` leaves from leaf ``index * 2**level``, and its hash."""

    level: int
    index: int
    hash: bytes


def leaf_hash(digest: bytes) -> bytes:
    """The leaf hash of an event whose digest (SHA-256 of its stored state) is ``digest``."""
    _check_hash(digest, "an event digest")
    return hashlib.sha256(_LEAF_PREFIX + digest).digest()


def state_leaf(state: object) -> bytes:
    """The leaf of a stored event: ``leaf_hash`` of SHA-256 of its stored state. A state that
    is not bytes (a forged NULL or text column) counts as empty, so that every row, however
    malformed, is one leaf and the follower and ``verify`` count the same tree."""
    data = bytes(state) if isinstance(state, (bytes, bytearray, memoryview)) else b""
    return hashlib.sha256(_LEAF_PREFIX + hashlib.sha256(data).digest()).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an interior node over two child hashes."""
    _check_hash(left, "a left child hash")
    _check_hash(right, "a right child hash")
    return _node(left, right)


def root(leaf_hashes: Iterable[bytes]) -> bytes:
    """MTH of the tree over ``leaf_hashes`` (already leaf-hashed), in O(log n) memory."""
    frontier = Frontier()
    for leaf in leaf_hashes:
        frontier.append(leaf)
    return frontier.root()


def perfect_subtree_hashes(leaf_hashes: Iterable[bytes]) -> dict[tuple[int, int], bytes]:
    """Every perfect subtree of the tree over ``leaf_hashes``, as ``{(level, index): hash}``:
    what a store answering ``hash_at`` holds (tests build one in memory with this)."""
    frontier = Frontier()
    store: dict[tuple[int, int], bytes] = {}
    for leaf in leaf_hashes:
        for subtree in frontier.append(leaf):
            store[subtree.level, subtree.index] = subtree.hash
    return store


class Frontier:
    """The right edge of the tree: the hashes of the perfect subtrees that together cover
    leaves ``[0, size)``, largest first — one per set bit of ``size`` (a compact range).

    Why: a follower appends millions of leaves holding only O(log n) hashes, and learns from
    each append which perfect subtrees it completed, which is what it stores for proofs.
    """

    __slots__ = ("_size", "_hashes")

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        _check_size(size, "tree size")
        if len(hashes) != size.bit_count():
            raise InputError(
                f"a frontier of {size} leaves holds {size.bit_count()} subtree hashes, not {len(hashes)}"
            )
        for position, value in enumerate(hashes):
            _check_hash(value, f"frontier hash {position}")
        self._size = size
        self._hashes = [bytes(value) for value in hashes]

    @property
    def size(self) -> int:
        return self._size

    @property
    def subtrees(self) -> tuple[Subtree, ...]:
        """The perfect subtrees of the right edge, leftmost (largest) first."""
        return tuple(Subtree(*at, value) for at, value in zip(_edge(0, self._size), self._hashes))

    def append(self, leaf: bytes) -> list[Subtree]:
        """Add one leaf hash; return the perfect subtrees it completed, the leaf first and
        then each larger one it closed (merged with its left neighbour)."""
        _check_hash(leaf, "a leaf hash")
        if self._size == 2**64 - 1:
            raise InputError("a Merkle tree holds at most 2**64-1 leaves")
        index = self._size
        completed = [Subtree(0, index, leaf)]
        value, level = leaf, 0
        while (index >> level) & 1:
            value = _node(self._hashes.pop(), value)
            level += 1
            completed.append(Subtree(level, index >> level, value))
        self._hashes.append(value)
        self._size += 1
        return completed

    def root(self) -> bytes:
        """MTH of the ``size`` leaves appended so far."""
        return _fold(self._hashes) if self._hashes else EMPTY_ROOT

    def to_bytes(self) -> bytes:
        """Size as a big-endian uint64, then each subtree hash, largest first."""
        return self._size.to_bytes(_SIZE_BYTES, "big") + b"".join(self._hashes)

    @classmethod
    def from_bytes(cls, data: bytes) -> Frontier:
        data = bytes(data)
        if len(data) < _SIZE_BYTES or (len(data) - _SIZE_BYTES) % HASH_SIZE:
            raise InputError(f"a serialised frontier is 8 + 32·k bytes, not {len(data)}")
        size = int.from_bytes(data[:_SIZE_BYTES], "big")
        body = data[_SIZE_BYTES:]
        return cls(size, [body[at : at + HASH_SIZE] for at in range(0, len(body), HASH_SIZE)])

    @classmethod
    def from_store(cls, size: int, hash_at: HashAt) -> Frontier:
        """The frontier of the first ``size`` leaves, read from a store (popcount(size) reads):
        how a follower resumes, or how a root at any past size is found."""
        _check_size(size, "tree size")
        return cls(size, [_read(hash_at, *at) for at in _edge(0, size)])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Frontier) and (self._size, self._hashes) == (other._size, other._hashes)

    def __repr__(self) -> str:
        return f"Frontier(size={self._size}, root={self.root().hex()})"


def inclusion_proof(index: int, size: int, hash_at: HashAt) -> list[bytes]:
    """RFC 9162 §2.1.3.1 PATH(index, D[0:size]), leaf side first, from stored subtrees."""
    _check_index(index, size)
    return list(_path(0, index, size, hash_at))


def consistency_proof(old_size: int, new_size: int, hash_at: HashAt) -> list[bytes]:
    """RFC 9162 §2.1.4.1 PROOF(old_size, D[0:new_size]) from stored subtrees; empty when
    ``old_size`` is 0 or equal to ``new_size`` (the RFC defines proofs for 0 < m < n only,
    and there is nothing to prove in those two cases)."""
    _check_sizes(old_size, new_size)
    if old_size == 0 or old_size == new_size:
        return []
    # The old tree's smallest perfect subtree on its right edge: its path up the new tree
    # is the proof, with the subtree itself first unless it is the whole old tree (the
    # verifier then starts from the old root it already holds).
    level = (old_size & -old_size).bit_length() - 1
    index = (old_size - 1) >> level
    proof = [] if index == 0 else [_read(hash_at, level, index)]
    proof.extend(_path(level, index, new_size, hash_at))
    return proof


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], root_hash: bytes) -> None:
    """None if ``proof`` shows ``leaf`` at ``index`` in the tree of ``size`` leaves whose root
    is ``root_hash``; else raise. The algorithm of RFC 9162 §2.1.3.2, step by step."""
    _check_hash(leaf, "the leaf hash")
    _check_hash(root_hash, "the root hash")
    _check_index(index, size)  # 1. leaf_index >= tree_size fails.
    what = f"inclusion proof of leaf {index} in a tree of {size}"
    _check_proof(proof, _inclusion_length(index, size), f"an {what}")
    # 2.-5.
    _, r = _climb(index, size - 1, leaf, proof, what)
    if r != root_hash:
        raise TamperError(
            f"{what} does not hold: leaf {index} with this proof gives root {r.hex()[:16]}…, "
            f"not the tree of {size} leaves' root {root_hash.hex()[:16]}…"
        )


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """None if ``proof`` shows the tree of ``new_size`` leaves (root ``new_root``) extends the
    tree of ``old_size`` leaves (root ``old_root``) unchanged; else raise.

    RFC 9162 §2.1.4.2 for 0 < old_size < new_size. Outside that range the RFC defines no
    proof, and the proof must be empty: equal sizes hold when the roots are equal, and the
    empty tree (whose root must be MTH({})) is extended by every tree."""
    _check_hash(old_root, "the old root hash")
    _check_hash(new_root, "the new root hash")
    _check_sizes(old_size, new_size)
    if old_size == 0 or old_size == new_size:
        _check_proof(proof, 0, f"a consistency proof from size {old_size} to {new_size}")
        if old_size == 0 and old_root != EMPTY_ROOT:
            raise TamperError(f"the root of the empty tree is {EMPTY_ROOT.hex()[:16]}…, not {old_root.hex()[:16]}…")
        if old_size == new_size and old_root != new_root:
            raise TamperError(f"two different roots for the same tree size {old_size}: the log forked")
        return
    what = f"consistency proof from size {old_size} to {new_size}"
    _check_proof(proof, _consistency_length(old_size, new_size), f"a {what}")
    path = list(proof)
    # 1. An empty path fails (excluded above by the length check). 2. A perfect old tree is
    # its own first node.
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    # 3.-4.
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5.-7.
    fr, sr = _climb(fn, sn, path[0], path[1:], what)
    if fr != old_root:
        raise TamperError(f"{what} does not hold: it does not give the old root (the first {old_size} leaves changed)")
    if sr != new_root:
        raise TamperError(f"{what} does not hold: it does not give the new root")


def _climb(fn: int, sn: int, first: bytes, path: Sequence[bytes], what: str) -> tuple[bytes, bytes]:
    """The walk both RFC 9162 verifiers make (§2.1.3.2 steps 3-5, §2.1.4.2 steps 5-7) from
    ``first`` up ``path``, ending with sn at 0. Returns (fr, sr): sr is the hash of
    everything, the inclusion algorithm's r; fr hashes in only the left siblings, which is
    what a consistency proof must give the old root from."""
    fr = sr = first
    for c in path:
        if sn == 0:  # a.
            raise TamperError(f"{what} is too long")
        if fn & 1 or fn == sn:  # b.
            fr = _node(c, fr)
            sr = _node(c, sr)
            while not fn & 1 and fn != 0:
                fn >>= 1
                sn >>= 1
        else:
            sr = _node(sr, c)
        fn >>= 1  # c.
        sn >>= 1
    if sn != 0:
        raise TamperError(f"{what} is too short")
    return fr, sr


def _path(level: int, index: int, size: int, hash_at: HashAt) -> Iterator[bytes]:
    """The siblings, bottom up, on the way from the perfect subtree ``(level, index)`` to
    the root of the tree of ``size`` leaves (PATH of RFC 9162 with subtrees for leaves).

    Below the level where the subtree's path parts from the tree's right edge (``inner``),
    every sibling is a perfect subtree except perhaps the last, which runs to the end of the
    tree (an unbalanced right part, hashed from its own perfect subtrees). Above, the path
    runs along the right edge: a left sibling wherever the index has a 1 bit, none where
    the right edge has no node at that level."""
    last = (size - 1) >> level
    inner = (index ^ last).bit_length()
    for step in range(inner):
        sibling = (index >> step) ^ 1
        at = level + step
        start = sibling << at
        if start + (1 << at) <= size:
            yield _read(hash_at, at, sibling)
        else:
            yield _fold([_read(hash_at, *at) for at in _edge(start, size)])
    for step in range(inner, last.bit_length()):
        if (index >> step) & 1:
            yield _read(hash_at, level + step, (index >> step) - 1)


def perfect_root(hashes: Sequence[bytes]) -> bytes:
    """The hash of a perfect subtree from its 2**k children at one level, left to right."""
    level = list(hashes)
    while len(level) > 1:
        level = [_node(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def _edge(start: int, end: int) -> Iterator[tuple[int, int]]:
    """(level, index) of the perfect subtrees covering leaves ``[start, end)``, largest
    first, where ``start`` is aligned to the largest (so the range is a right part of the
    RFC tree, or the whole tree when ``start`` is 0)."""
    while start < end:
        level = (end - start).bit_length() - 1
        yield level, start >> level
        start += 1 << level


def _fold(hashes: Sequence[bytes]) -> bytes:
    """MTH of a right part from its perfect subtrees, largest first: each joins, as left
    child, the hash of everything to its right."""
    value = hashes[-1]
    for left in reversed(hashes[:-1]):
        value = _node(left, value)
    return value


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def _read(hash_at: HashAt, level: int, index: int) -> bytes:
    value = hash_at(level, index)
    if not isinstance(value, (bytes, bytearray)) or len(value) != HASH_SIZE:
        raise TamperError(f"the stored hash of subtree (level {level}, index {index}) is not {HASH_SIZE} bytes")
    return bytes(value)


def _inclusion_length(index: int, size: int) -> int:
    last = size - 1
    inner = (index ^ last).bit_length()
    return inner + (index >> inner).bit_count()


def _consistency_length(old_size: int, new_size: int) -> int:
    level = (old_size & -old_size).bit_length() - 1
    index = (old_size - 1) >> level
    last = (new_size - 1) >> level
    inner = (index ^ last).bit_length()
    return (index != 0) + inner + (index >> inner).bit_count()


def _check_proof(proof: Sequence[bytes], expected: int, what: str) -> None:
    if len(proof) != expected:
        raise TamperError(f"{what} has {expected} hashes, not {len(proof)}")
    for position, value in enumerate(proof):
        if not isinstance(value, (bytes, bytearray)) or len(value) != HASH_SIZE:
            raise TamperError(f"hash {position} of {what} is not {HASH_SIZE} bytes")


def _check_hash(value: object, what: str) -> None:
    if not isinstance(value, (bytes, bytearray)) or len(value) != HASH_SIZE:
        shown = f"{len(value)} bytes" if isinstance(value, (bytes, bytearray)) else type(value).__name__
        raise InputError(f"{what} must be {HASH_SIZE} bytes (SHA-256), not {shown}")


def _check_size(value: object, what: str) -> None:
    if type(value) is not int or not 0 <= value < 2**64:
        raise InputError(f"a {what} is an integer from 0 to 2**64-1, not {value!r}")


def _check_index(index: int, size: int) -> None:
    _check_size(size, "tree size")
    _check_size(index, "leaf index")
    if index >= size:
        raise InputError(f"leaf index {index} is not in a tree of {size} leaves")


def _check_sizes(old_size: int, new_size: int) -> None:
    _check_size(old_size, "tree size")
    _check_size(new_size, "tree size")
    if old_size > new_size:
        raise InputError(f"old tree size {old_size} is larger than new tree size {new_size}")
