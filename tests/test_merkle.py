"""The Merkle log's hashing, proofs and verifiers, against RFC 9162 itself.

The reference below is written straight from the RFC's recursive definitions (§2.1.1 MTH,
§2.1.3.1 PATH, §2.1.4.1 PROOF and SUBPROOF), over the event digests themselves, sharing
no code with ``events.merkle`` (which builds proofs from stored subtree hashes). Our
proofs must equal its proofs byte for byte, and our verifiers must accept them.

No database: these run once, not per backend.
"""

from __future__ import annotations

import hashlib
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from certledger.domain.errors import CertLedgerError, InputError, TamperError
from certledger.events import merkle

N_MAX = 5000


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


# The inputs: the 32-byte digests of N_MAX made-up events. Every tree in these tests is a
# prefix of them, as the ledger's trees are prefixes of one another.
DIGESTS = [_sha256(b"event %d" % i) for i in range(N_MAX)]


# ---- the reference: RFC 9162 §2.1, recursive, D[a:b] written as the index range a, b ----


def _k(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


@cache
def ref_mth(a: int, b: int) -> bytes:
    """MTH(D[a:b])."""
    n = b - a
    if n == 0:
        return _sha256(b"")
    if n == 1:
        return _sha256(b"\x00" + DIGESTS[a])
    k = _k(n)
    return _sha256(b"\x01" + ref_mth(a, a + k) + ref_mth(a + k, b))


def ref_path(m: int, a: int, b: int) -> list[bytes]:
    """PATH(m, D[a:b]), m relative to a."""
    n = b - a
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return ref_path(m, a, a + k) + [ref_mth(a + k, b)]
    return ref_path(m - k, a + k, b) + [ref_mth(a, a + k)]


def ref_subproof(m: int, a: int, b: int, whole: bool) -> list[bytes]:
    """SUBPROOF(m, D[a:b], b), m relative to a."""
    n = b - a
    if m == n:
        return [] if whole else [ref_mth(a, b)]
    k = _k(n)
    if m <= k:
        return ref_subproof(m, a, a + k, whole) + [ref_mth(a + k, b)]
    return ref_subproof(m - k, a + k, b, False) + [ref_mth(a, a + k)]


def ref_proof(m: int, n: int) -> list[bytes]:
    """PROOF(m, D[0:n]) for 0 < m < n."""
    return ref_subproof(m, 0, n, True)


# ---- a store of perfect subtree hashes, as a tile store would hold them ----

LEAVES = [merkle.leaf_hash(d) for d in DIGESTS]
STORE = merkle.perfect_subtree_hashes(LEAVES)


class Reads:
    """``hash_at`` for the tree of ``size`` leaves: counts its calls, and fails a read of a
    subtree that reaches past the tree (the store holds more: the log has grown since)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.calls = 0

    def __call__(self, level: int, index: int) -> bytes:
        self.calls += 1
        if (index + 1) << level > self.size:
            raise AssertionError(f"read subtree ({level}, {index}) outside the tree of {self.size}")
        return STORE[level, index]


def _levels(size: int) -> int:
    """⌈log2 size⌉: the height of the tree of ``size`` leaves."""
    return (size - 1).bit_length() if size > 1 else 0


def _inclusion(index: int, size: int) -> list[bytes]:
    """Our proof, checking it read at most max(h, 2h - 2) stored hashes (h = ⌈log2 size⌉):
    one perfect sibling per level below the level where the leaf's path joins the right
    edge, and one per level above; at that level the sibling may run past the end of the
    tree, and is then hashed from at most one perfect subtree per level below it."""
    reads = Reads(size)
    proof = merkle.inclusion_proof(index, size, reads)
    h = _levels(size)
    assert reads.calls <= max(h, 2 * h - 2), (index, size, reads.calls)
    return proof


def _consistency(old: int, new: int) -> list[bytes]:
    """Our proof, checking it read at most 2h - 1 stored hashes (h = ⌈log2 new⌉): the old
    tree's last perfect subtree, then its path up the new tree, as for inclusion."""
    reads = Reads(new)
    proof = merkle.consistency_proof(old, new, reads)
    assert reads.calls <= max(0, 2 * _levels(new) - 1), (old, new, reads.calls)
    return proof


def _check_inclusion(index: int, size: int) -> None:
    proof = _inclusion(index, size)
    assert proof == ref_path(index, 0, size), (index, size)
    merkle.verify_inclusion(LEAVES[index], index, size, proof, ref_mth(0, size))


def _check_consistency(old: int, new: int) -> None:
    proof = _consistency(old, new)
    assert proof == (ref_proof(old, new) if 0 < old < new else []), (old, new)
    merkle.verify_consistency(old, new, ref_mth(0, old), ref_mth(0, new), proof)


# ---- hashing and roots ----


def test_hashes_are_rfc_9162_with_sha256() -> None:
    d = DIGESTS[0]
    assert merkle.leaf_hash(d) == _sha256(b"\x00" + d)
    assert merkle.node_hash(d, LEAVES[1]) == _sha256(b"\x01" + d + LEAVES[1])
    assert merkle.EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert merkle.root([]) == merkle.EMPTY_ROOT
    with pytest.raises(InputError, match="an event digest must be 32 bytes"):
        merkle.leaf_hash(d.hex().encode())
    with pytest.raises(InputError, match="a right child hash must be 32 bytes"):
        merkle.node_hash(d, d[:31])


def test_roots_and_frontiers_agree_with_the_reference_for_every_size_to_1000() -> None:
    frontier = merkle.Frontier()
    for size in range(1001):
        expected = ref_mth(0, size)
        assert frontier.size == size
        assert frontier.root() == expected == merkle.root(LEAVES[:size]), size
        assert merkle.Frontier.from_bytes(frontier.to_bytes()) == frontier
        assert merkle.Frontier.from_store(size, Reads(size)) == frontier
        assert all(STORE[s.level, s.index] == s.hash for s in frontier.subtrees)
        if size < 1000:
            frontier.append(LEAVES[size])


def test_an_append_reports_exactly_the_perfect_subtrees_it_completed() -> None:
    frontier, seen = merkle.Frontier(), {}
    for leaf in LEAVES[:600]:
        completed = frontier.append(leaf)
        assert completed[0] == merkle.Subtree(0, frontier.size - 1, leaf)
        seen.update({(s.level, s.index): s.hash for s in completed})
    assert seen == merkle.perfect_subtree_hashes(LEAVES[:600])
    assert len(seen) == 2 * 600 - (600).bit_count()  # n leaves make 2n - popcount(n) perfect subtrees


def test_a_serialised_frontier_is_size_then_hashes_and_nothing_else() -> None:
    frontier = merkle.Frontier()
    for leaf in LEAVES[:11]:
        frontier.append(leaf)
    data = frontier.to_bytes()
    assert data == (11).to_bytes(8, "big") + b"".join(s.hash for s in frontier.subtrees)
    assert [s.level for s in frontier.subtrees] == [3, 1, 0]
    with pytest.raises(InputError, match="8 \\+ 32·k bytes, not 103"):
        merkle.Frontier.from_bytes(data[:-1])
    with pytest.raises(InputError, match="a frontier of 12 leaves holds 2 subtree hashes, not 3"):
        merkle.Frontier.from_bytes((12).to_bytes(8, "big") + data[8:])
    with pytest.raises(InputError, match="a tree size is an integer from 0 to 2\\*\\*64-1, not -1"):
        merkle.Frontier(-1)


# ---- proofs against the reference ----


def test_the_rfc_9162_example_tree_of_seven() -> None:
    """RFC 9162 §2.1.5: the tree of d0…d6 with nodes a…l, and the proofs it lists."""
    a, b, c, d, e, f, d6 = (ref_mth(i, i + 1) for i in range(7))
    g, h, i, j = ref_mth(0, 2), ref_mth(2, 4), ref_mth(4, 6), d6
    k, l = ref_mth(0, 4), ref_mth(4, 7)
    assert _inclusion(0, 7) == [b, h, l]
    assert _inclusion(3, 7) == [c, g, l]
    assert _inclusion(4, 7) == [f, j, k]
    assert _inclusion(6, 7) == [i, k]
    assert _consistency(3, 7) == [c, d, g, l]
    assert _consistency(4, 7) == [l]
    assert _consistency(6, 7) == [i, j, k]
    assert a == LEAVES[0] and e == LEAVES[4]


def test_every_inclusion_proof_in_trees_up_to_300_is_the_rfcs() -> None:
    for size in range(1, 301):
        for index in range(size):
            _check_inclusion(index, size)


def test_every_consistency_proof_between_trees_up_to_300_is_the_rfcs() -> None:
    for new in range(301):
        for old in range(new + 1):
            _check_consistency(old, new)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_proofs_in_larger_trees_are_the_rfcs(data: st.DataObject) -> None:
    size = data.draw(st.integers(1, N_MAX), label="size")
    _check_inclusion(data.draw(st.integers(0, size - 1), label="index"), size)
    _check_consistency(data.draw(st.integers(0, size), label="old size"), size)


def test_the_read_bounds_are_tight() -> None:
    """The bounds ``_inclusion`` and ``_consistency`` check on every proof in this file are
    met: by the tree of 1,023 leaves (h = 10), whose right edge has a node at every level."""
    worst = max(_counted(merkle.inclusion_proof, index, 1023) for index in range(1023))
    assert worst == 2 * 10 - 2
    worst = max(_counted(merkle.consistency_proof, old, 1023) for old in range(1024))
    assert worst == 2 * 10 - 1
    assert _counted(merkle.inclusion_proof, 0, 2) == 1  # h = 1: max(h, 2h - 2) = h


def _counted(prove, first: int, size: int) -> int:
    reads = Reads(size)
    prove(first, size, reads)
    return reads.calls


def test_a_historical_proof_reads_nothing_appended_after_its_tree() -> None:
    """The store holds 5,000 leaves; a proof about the tree of 77 reads only inside it
    (``Reads`` fails otherwise), so it is the same proof whenever it is asked for."""
    assert _inclusion(70, 77) == ref_path(70, 0, 77)
    assert _consistency(33, 77) == ref_proof(33, 77)


# ---- what the verifiers refuse ----


def _flips(value: bytes):
    for bit in range(len(value) * 8):
        flipped = bytearray(value)
        flipped[bit // 8] ^= 1 << (bit % 8)
        yield bytes(flipped)


def _int_flips(value: int):
    return [value ^ (1 << bit) for bit in range(64)]


def _root(size: int) -> bytes:
    return ref_mth(0, size) if size <= N_MAX else merkle.EMPTY_ROOT


def _every_flip_fails(verify, good: dict, hashes: tuple[str, ...], sizes: dict[str, str | None]) -> None:
    """``verify(**good)`` holds; it fails (TamperError) for each single flipped bit of each
    proof hash and of each argument named in ``hashes``; and it fails (some CertLedgerError)
    for each flipped bit of each integer named in ``sizes``, the root named beside it then
    being the root of the tree of the altered size."""
    verify(**good)
    proof = good["proof"]
    changes = [{"proof": proof[:at] + [flip] + proof[at + 1 :]} for at, node in enumerate(proof) for flip in _flips(node)]
    changes += [{name: flip} for name in hashes for flip in _flips(good[name])]
    for change in changes:
        with pytest.raises(TamperError, match="does not hold"):
            verify(**{**good, **change})
    for name, root_name in sizes.items():
        for other in _int_flips(good[name]):
            change = {name: other} if root_name is None else {name: other, root_name: _root(other)}
            with pytest.raises(CertLedgerError):
                verify(**{**good, **change})


INCLUSION_CASES = [
    (index, size)
    for size in (1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 17, 100, 255, 256, 257, 1000)
    for index in sorted({0, 1, size // 2, size - 2, size - 1} & set(range(size)))
]


@pytest.mark.parametrize("index, size", INCLUSION_CASES)
def test_every_single_bit_change_to_an_inclusion_proof_fails(index: int, size: int) -> None:
    """Each flipped bit of the proof, the leaf, the root or the index fails; so does each
    flipped bit of the size, the root then being that of the tree of the new size (a root
    comes signed with its size in a checkpoint: alone, a size only says how many hashes the
    proof has, and the RFC's algorithm accepts a proof under any size of the same shape)."""
    good = dict(leaf=LEAVES[index], index=index, size=size, proof=_inclusion(index, size), root_hash=ref_mth(0, size))
    _every_flip_fails(merkle.verify_inclusion, good, ("leaf", "root_hash"), {"index": None, "size": "root_hash"})


CONSISTENCY_CASES = [
    (1, 2), (1, 5), (2, 3), (3, 7), (4, 7), (6, 7), (5, 8), (7, 8), (8, 9), (7, 16), (9, 16),
    (100, 257), (255, 256), (256, 1000), (999, 1000),
]  # fmt: skip


@pytest.mark.parametrize("old, new", CONSISTENCY_CASES)
def test_every_single_bit_change_to_a_consistency_proof_fails(old: int, new: int) -> None:
    """As for inclusion: each flipped bit of the proof or of either root fails, and each
    flipped bit of either size, with the root of the tree of that size."""
    good = dict(old_size=old, new_size=new, old_root=ref_mth(0, old), new_root=ref_mth(0, new), proof=_consistency(old, new))
    _every_flip_fails(
        merkle.verify_consistency, good, ("old_root", "new_root"), {"old_size": "old_root", "new_size": "new_root"}
    )


def test_a_proof_of_the_wrong_length_fails_before_any_hashing() -> None:
    proof, root = _inclusion(5, 13), ref_mth(0, 13)
    extra = LEAVES[0]
    for wrong in (proof[:-1], proof[1:], proof + [extra], [extra] + proof, []):
        with pytest.raises(TamperError, match=f"inclusion proof of leaf 5 in a tree of 13 has 4 hashes, not {len(wrong)}"):
            merkle.verify_inclusion(LEAVES[5], 5, 13, wrong, root)
    proof, old_root, new_root = _consistency(6, 13), ref_mth(0, 6), ref_mth(0, 13)
    for wrong in (proof[:-1], proof[1:], proof + [extra], [extra] + proof, []):
        with pytest.raises(TamperError, match=f"from size 6 to 13 has {len(proof)} hashes, not {len(wrong)}"):
            merkle.verify_consistency(6, 13, old_root, new_root, wrong)
    with pytest.raises(TamperError, match="hash 1 of an inclusion proof .* is not 32 bytes"):
        merkle.verify_inclusion(LEAVES[5], 5, 13, [proof[0], proof[1][:31], proof[2], proof[3]], root)


def test_inclusion_edge_cases() -> None:
    with pytest.raises(InputError, match="leaf index 0 is not in a tree of 0 leaves"):
        merkle.verify_inclusion(LEAVES[0], 0, 0, [], merkle.EMPTY_ROOT)
    with pytest.raises(InputError, match="leaf index 0 is not in a tree of 0 leaves"):
        merkle.inclusion_proof(0, 0, Reads(0))
    with pytest.raises(InputError, match="leaf index 7 is not in a tree of 7 leaves"):
        merkle.verify_inclusion(LEAVES[7], 7, 7, _inclusion(6, 7), ref_mth(0, 7))
    with pytest.raises(InputError, match="leaf index is an integer from 0"):
        merkle.inclusion_proof(-1, 7, Reads(7))
    with pytest.raises(InputError, match="the root hash must be 32 bytes"):
        merkle.verify_inclusion(LEAVES[0], 0, 1, [], b"")
    # Size 1: the proof is empty and the root is the leaf hash itself.
    assert _inclusion(0, 1) == [] and ref_mth(0, 1) == LEAVES[0]
    merkle.verify_inclusion(LEAVES[0], 0, 1, [], LEAVES[0])
    with pytest.raises(TamperError, match="does not hold"):
        merkle.verify_inclusion(LEAVES[1], 0, 1, [], LEAVES[0])
    with pytest.raises(TamperError, match="has 0 hashes, not 1"):
        merkle.verify_inclusion(LEAVES[0], 0, 1, [LEAVES[1]], LEAVES[0])


def test_consistency_edge_cases() -> None:
    empty, root5 = merkle.EMPTY_ROOT, ref_mth(0, 5)
    # The empty tree is extended by every tree, with an empty proof, if its root is MTH({}).
    merkle.verify_consistency(0, 0, empty, empty, [])
    merkle.verify_consistency(0, 5, empty, root5, [])
    with pytest.raises(TamperError, match="the root of the empty tree is e3b0c44298fc1c14…"):
        merkle.verify_consistency(0, 5, root5, root5, [])
    with pytest.raises(TamperError, match="from size 0 to 5 has 0 hashes, not 1"):
        merkle.verify_consistency(0, 5, empty, root5, [root5])
    # Equal sizes: an empty proof, and the same root, or the log forked.
    merkle.verify_consistency(5, 5, root5, root5, [])
    with pytest.raises(TamperError, match="two different roots for the same tree size 5: the log forked"):
        merkle.verify_consistency(5, 5, root5, ref_mth(1, 6), [])
    with pytest.raises(TamperError, match="from size 5 to 5 has 0 hashes, not 1"):
        merkle.verify_consistency(5, 5, root5, root5, [root5])
    # Size 1 to 2: the proof is the second leaf.
    assert _consistency(1, 2) == [LEAVES[1]]
    merkle.verify_consistency(1, 2, LEAVES[0], ref_mth(0, 2), [LEAVES[1]])
    with pytest.raises(InputError, match="old tree size 6 is larger than new tree size 5"):
        merkle.verify_consistency(6, 5, ref_mth(0, 6), root5, [])
    with pytest.raises(InputError, match="old tree size 6 is larger than new tree size 5"):
        merkle.consistency_proof(6, 5, Reads(5))


def test_a_truncated_or_rewritten_log_fails_consistency() -> None:
    """What the checkpoints are for: the log that a checkpoint of size 40 saw, then cut
    back to 30 leaves and regrown with other events to 50, proves nothing against it."""
    old_root = ref_mth(0, 40)
    rewritten = LEAVES[:30] + [merkle.leaf_hash(_sha256(b"forged %d" % i)) for i in range(20)]
    store = merkle.perfect_subtree_hashes(rewritten)
    proof = merkle.consistency_proof(40, 50, lambda level, index: store[level, index])
    with pytest.raises(TamperError, match="from size 40 to 50 does not hold: it does not give the old root"):
        merkle.verify_consistency(40, 50, old_root, merkle.root(rewritten), proof)


def test_a_store_returning_a_bad_hash_is_caught() -> None:
    with pytest.raises(TamperError, match="stored hash of subtree \\(level 0, index 1\\) is not 32 bytes"):
        merkle.inclusion_proof(0, 2, lambda level, index: b"short")
