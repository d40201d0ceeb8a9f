"""256-bit hashes as four big-endian uint64 words, the form the index and kernels use.

Hex is the interchange form (banks, CLI, findings): 64 lowercase hex digits, bit 0 the most
significant bit of the first digit, which is how ThreatExchange writes PDQ hashes.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

HEX_DIGITS = 64


def bits_to_hex(bits: np.ndarray) -> str:
    """A 256-long 0/1 vector (as `pdqhash.compute` returns it) as hex."""
    return np.packbits(np.asarray(bits, dtype=np.uint8)).tobytes().hex()


def hex_to_words(hashes: Iterable[str]) -> np.ndarray:
    """Hex hashes → (n, 4) uint64. Raises ValueError naming the first bad one."""
    items = list(hashes)
    buf = bytearray()
    for h in items:
        if len(h) != HEX_DIGITS:
            raise ValueError(f"not a 256-bit hash (need {HEX_DIGITS} hex digits): {h[:80]!r}")
        try:
            buf += bytes.fromhex(h)
        except ValueError:
            raise ValueError(f"not hexadecimal: {h[:80]!r}") from None
    if not items:
        return np.zeros((0, 4), dtype=np.uint64)
    return np.frombuffer(bytes(buf), dtype=">u8").astype(np.uint64).reshape(-1, 4)


def words_to_hex(words: np.ndarray) -> list[str]:
    arr = np.ascontiguousarray(np.asarray(words, dtype=np.uint64).reshape(-1, 4)).astype(">u8")
    raw = arr.tobytes()
    return [raw[i : i + 32].hex() for i in range(0, len(raw), 32)]


def hamming(a: str, b: str) -> int:
    return (int(a, 16) ^ int(b, 16)).bit_count()


def hamming_words(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise distances between (n, 4) and (n, 4) or (4,) word arrays."""
    x = np.bitwise_xor(np.asarray(a, dtype=np.uint64), np.asarray(b, dtype=np.uint64))
    return np.bitwise_count(x).sum(axis=-1).astype(np.int64)
