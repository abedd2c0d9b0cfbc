#!/usr/bin/env python3
"""An independent C2SP tlog-tiles client: follows a log's tiles over HTTP and checks them.

Written against the specifications only (c2sp.org/tlog-tiles, c2sp.org/tlog-checkpoint,
c2sp.org/signed-note, RFC 9162 §2.1), importing nothing from certledger: it is the second
implementation the served log is checked with. Standard library plus ``cryptography``
(Ed25519) only.

    python tools/tlog_client.py URL --vkey VKEY [--old OLD_NOTE_FILE] [--leaf INDEX]

- fetches ``URL/checkpoint`` and verifies the signed note with VKEY (``name+hash+base64(0x01‖key)``);
- recomputes the tree root from the hash tiles and compares it to the signed root;
- checks every entry bundle hashes to the level-0 tiles;
- with ``--old``: builds a consistency proof from the tiles and verifies it (RFC 9162
  §2.1.4.2) against the old note's root (which is also verified with VKEY);
- with ``--leaf``: builds an inclusion proof for that leaf and verifies it (§2.1.3.2).

Prints one JSON object; exit 0 when every check held, 1 when one failed, 2 on bad usage.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
import urllib.error
import urllib.request

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

TILE_WIDTH = 256
HEIGHT = 8


class CheckFailed(Exception):
    pass


# -- signed note, checkpoint ---------------------------------------------------------------

def parse_vkey(vkey: str) -> tuple[str, bytes, bytes]:
    name, key_hash, key = vkey.strip().split("+", 2)
    raw = base64.b64decode(key, validate=True)
    if raw[:1] != b"\x01" or len(raw) != 33:
        raise ValueError("not an Ed25519 verifier key")
    expected = hashlib.sha256(name.encode() + b"\n" + raw).digest()[:4]
    if expected.hex() != key_hash:
        raise ValueError("the verifier key's hash does not match its key")
    return name, expected, raw[1:]


def open_note(note: str, vkey: str) -> str:
    """The note's text, if a signature line by the vkey's name and key verifies."""
    name, key_hash, public = parse_vkey(vkey)
    text, sep, signatures = note.partition("\n\n")
    if not sep:
        raise CheckFailed("the note has no signature block")
    text += "\n"
    for line in signatures.rstrip("\n").split("\n"):
        if not line.startswith("\u2014 "):
            raise CheckFailed(f"malformed signature line {line[:40]!r}")
        signer, _, blob = line[2:].rpartition(" ")
        raw = base64.b64decode(blob)
        if signer == name and raw[:4] == key_hash:
            try:
                Ed25519PublicKey.from_public_bytes(public).verify(raw[4:], text.encode())
            except InvalidSignature:
                raise CheckFailed(f"the signature by {name} does not verify") from None
            return text
    raise CheckFailed(f"the note carries no signature by {name}")


def parse_checkpoint(text: str) -> tuple[str, int, bytes]:
    lines = text.split("\n")
    origin, size, root = lines[0], lines[1], lines[2]
    if not size.isdigit() or (size != "0" and size.startswith("0")):
        raise CheckFailed("bad tree size in checkpoint")
    root_hash = base64.b64decode(root, validate=True)
    if len(root_hash) != 32:
        raise CheckFailed("bad root hash in checkpoint")
    return origin, int(size), root_hash


# -- RFC 9162 hashing ----------------------------------------------------------------------

def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def largest_power_below(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


# -- tiles -------------------------------------------------------------------------------

def tile_path(level: int | str, index: int, width: int) -> str:
    digits = f"{index:03d}"
    digits = "0" * (-len(digits) % 3) + digits
    parts = [digits[i:i + 3] for i in range(0, len(digits), 3)]
    path = "/".join(["x" + p for p in parts[:-1]] + [parts[-1]])
    return f"tile/{level}/{path}" + ("" if width == TILE_WIDTH else f".p/{width}")


class TileLog:
    """The tree of one checkpoint's size, read through its tiles."""

    def __init__(self, base: str, size: int) -> None:
        self.base = base.rstrip("/")
        self.size = size
        self.tiles: dict[tuple[int, int], list[bytes]] = {}
        self.fetched = 0

    def get(self, path: str) -> bytes:
        self.fetched += 1
        with urllib.request.urlopen(f"{self.base}/{path}", timeout=30) as response:
            return response.read()

    def width(self, level: int, index: int) -> int:
        at_level = self.size >> (HEIGHT * level)
        return min(TILE_WIDTH, at_level - index * TILE_WIDTH)

    def tile(self, level: int, index: int) -> list[bytes]:
        if (level, index) not in self.tiles:
            width = self.width(level, index)
            if width <= 0:
                raise CheckFailed(f"tile {level}/{index} lies outside the tree")
            data = self.get(tile_path(level, index, width))
            if len(data) != 32 * width:
                raise CheckFailed(f"tile {level}/{index} holds {len(data)} bytes, not {32 * width}")
            self.tiles[level, index] = [data[i:i + 32] for i in range(0, len(data), 32)]
        return self.tiles[level, index]

    def stored(self, level: int, index: int) -> bytes:
        """The hash of the perfect subtree of 2**(8·level) leaves number ``index``."""
        return self.tile(level, index // TILE_WIDTH)[index % TILE_WIDTH]

    def perfect(self, height: int, index: int) -> bytes:
        """The hash of the perfect subtree of 2**height leaves starting at index·2**height."""
        level, rest = divmod(height, HEIGHT)
        hashes = [self.stored(level, index * (1 << rest) + i) for i in range(1 << rest)]
        while len(hashes) > 1:
            hashes = [node(hashes[i], hashes[i + 1]) for i in range(0, len(hashes), 2)]
        return hashes[0]

    def mth(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]) (RFC 9162 §2.1.1), from perfect subtrees read from tiles."""
        n = end - start
        if n == 0:
            return hashlib.sha256(b"").digest()
        if n & (n - 1) == 0 and start % n == 0:
            return self.perfect(n.bit_length() - 1, start // n)
        k = largest_power_below(n)
        return node(self.mth(start, start + k), self.mth(start + k, end))

    def inclusion(self, m: int, start: int, end: int) -> list[bytes]:
        """PATH(m, D[start:end]) (RFC 9162 §2.1.3.1)."""
        n = end - start
        if n == 1:
            return []
        k = largest_power_below(n)
        if m < k:
            return self.inclusion(m, start, start + k) + [self.mth(start + k, end)]
        return self.inclusion(m - k, start + k, end) + [self.mth(start, start + k)]

    def consistency(self, m: int, start: int, end: int, complete: bool = True) -> list[bytes]:
        """SUBPROOF(m, D[start:end], b) (RFC 9162 §2.1.4.1)."""
        n = end - start
        if m == n:
            return [] if complete else [self.mth(start, end)]
        k = largest_power_below(n)
        if m <= k:
            return self.consistency(m, start, start + k, complete) + [self.mth(start + k, end)]
        return self.consistency(m - k, start + k, end, False) + [self.mth(start, start + k)]

    def entries(self, index: int) -> list[bytes]:
        width = self.width(0, index)
        data = self.get("tile/entries/" + tile_path(0, index, width)[len("tile/0/"):])
        out, at = [], 0
        while at < len(data):
            length = int.from_bytes(data[at:at + 2], "big")
            out.append(data[at + 2:at + 2 + length])
            at += 2 + length
        if len(out) != width or at != len(data):
            raise CheckFailed(f"entry bundle {index} holds {len(out)} entries, not {width}")
        return out


# -- RFC 9162 verification ---------------------------------------------------------------

def verify_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes], root: bytes) -> None:
    """RFC 9162 §2.1.3.2."""
    if index >= size:
        raise CheckFailed("leaf index past the tree")
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise CheckFailed("inclusion proof too long")
        if fn & 1 or fn == sn:
            r = node(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0 or r != root:
        raise CheckFailed("the inclusion proof does not lead to the signed root")


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes, proof: list[bytes]) -> None:
    """RFC 9162 §2.1.4.2."""
    if first == second:
        if proof or first_root != second_root:
            raise CheckFailed("equal sizes but different roots")
        return
    if first == 0 or first > second:
        raise CheckFailed("no consistency proof between these sizes")
    if first & (first - 1) == 0:
        proof = [first_root] + proof
    if not proof:
        raise CheckFailed("empty consistency proof")
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            raise CheckFailed("consistency proof too long")
        if fn & 1 or fn == sn:
            fr = node(c, fr)
            sr = node(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0 or fr != first_root or sr != second_root:
        raise CheckFailed("the consistency proof does not join the two signed roots")


# -- main -------------------------------------------------------------------------------

def check(base: str, vkey: str, old_note: str | None, leaf: int | None) -> dict:
    log_probe = TileLog(base, 0)
    note = log_probe.get("checkpoint").decode()
    origin, size, root = parse_checkpoint(open_note(note, vkey))
    log = TileLog(base, size)
    report: dict = {"origin": origin, "size": size, "root": root.hex(), "signature": "verified"}
    if log.mth(0, size) != root:
        raise CheckFailed("the tiles do not hash to the signed root")
    report["root_from_tiles"] = "matches"
    for index in range((size + TILE_WIDTH - 1) // TILE_WIDTH):
        hashes = log.tile(0, index)
        if [leaf_hash(e) for e in log.entries(index)] != hashes:
            raise CheckFailed(f"entry bundle {index} does not hash to level-0 tile {index}")
    report["entries"] = f"{size} entries hash to the level-0 tiles"
    if old_note is not None:
        old_origin, old_size, old_root = parse_checkpoint(open_note(old_note, vkey))
        if old_origin != origin:
            raise CheckFailed(f"the old checkpoint is of another log ({old_origin!r})")
        if old_size > size:
            raise CheckFailed("the old checkpoint is larger than the served one")
        proof = log.consistency(old_size, 0, size) if old_size else []
        verify_consistency(old_size, size, old_root, root, proof)
        report["consistency"] = {"from": old_size, "to": size, "proof_hashes": len(proof), "verified": True}
    if leaf is not None:
        entry = log.entries(leaf // TILE_WIDTH)[leaf % TILE_WIDTH]
        proof = log.inclusion(leaf, 0, size)
        verify_inclusion(leaf, size, leaf_hash(entry), proof, root)
        report["inclusion"] = {"leaf": leaf, "entry": entry.hex(), "proof_hashes": len(proof), "verified": True}
    report["requests"] = log.fetched + 1
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url")
    parser.add_argument("--vkey", required=True)
    parser.add_argument("--old", help="a checkpoint note kept earlier, to prove the served tree extends")
    parser.add_argument("--leaf", type=int, help="a leaf index to prove included")
    args = parser.parse_args(argv)
    old = open(args.old, encoding="utf-8").read() if args.old else None
    try:
        report = check(args.url, args.vkey, old, args.leaf)
    except (CheckFailed, ValueError, urllib.error.URLError) as e:
        print(json.dumps({"ok": False, "error": str(e)}, ensure_ascii=False))
        return 1
    print(json.dumps({"ok": True, **report}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
