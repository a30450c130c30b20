"""Winnowing fingerprints of a token stream (Schleimer, Wilkerson and Aiken, SIGMOD 2003).

Every k consecutive tokens (a k-gram) are hashed; in every window of `window` consecutive
k-gram hashes the smallest is selected (the rightmost one on a tie), and each selection is
recorded once. The paper's guarantee: any match of at least `window + k − 1` tokens shares at
least one fingerprint, and no match shorter than k tokens does (k is the noise threshold).

Hashes are stable across processes and machines (BLAKE2b of each token, combined by a
polynomial over 64-bit integers), unlike Python's `hash()` of a string, so that fingerprints
can be stored and compared between runs. They are kept within 63 bits to fit an SQLite integer.
"""

from __future__ import annotations

import functools
import hashlib

import numpy as np

MASK63 = np.uint64((1 << 63) - 1)
_BASE = np.uint64(0x100000001B3)  # the 64-bit FNV prime: odd, so no k-gram position is lost
_MIX = np.uint64(0xFF51AFD7ED558CCD)


@functools.lru_cache(maxsize=1 << 16)
def token_hash(token: str) -> int:
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8", "surrogatepass"), digest_size=8).digest(),
                          "little")


def kgram_hashes(tokens: list[str], k: int) -> np.ndarray:
    """The hash of each k-gram (uint64); empty when there are fewer than k tokens."""
    n = len(tokens) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64)
    ids = np.fromiter((token_hash(t) for t in tokens), dtype=np.uint64, count=len(tokens))
    combined = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):  # Σ ids[i + j]·BASE^(k−1−j), wrapping modulo 2^64
            combined = combined * _BASE + ids[j:j + n]
        combined ^= combined >> np.uint64(33)
        combined *= _MIX
        combined ^= combined >> np.uint64(33)
    return combined & MASK63


def winnow(hashes: np.ndarray, window: int) -> np.ndarray:
    """Positions of the selected hashes, ascending, each once (robust winnowing)."""
    n = len(hashes)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    if n <= window:
        return np.array([n - 1 - int(np.argmin(hashes[::-1]))], dtype=np.int64)
    windows = np.lib.stride_tricks.sliding_window_view(hashes, window)
    rightmost = window - 1 - np.argmin(windows[:, ::-1], axis=1)
    return np.unique(np.arange(len(windows)) + rightmost)


def fingerprints(tokens: list[str], k: int, window: int) -> tuple[np.ndarray, np.ndarray]:
    """(hashes as int64, first token index of each) of a token stream."""
    hashes = kgram_hashes(tokens, k)
    positions = winnow(hashes, window)
    return hashes[positions].astype(np.int64), positions


__all__ = ["fingerprints", "kgram_hashes", "winnow", "token_hash"]
