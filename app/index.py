"""Candidate search over signatures: datasketch's MinHashLSH behind a small interface.

The engine asks only for candidates; it verifies each one before deciding anything, so an
index may return false positives but should rarely miss a pair above its threshold.
"""

from __future__ import annotations

from typing import Protocol

from datasketch import MinHashLSH

from app.fingerprint import Signature, Signer


class CandidateIndex(Protocol):
    """What the engine needs from an LSH index; keys are article sequence numbers."""

    def insert(self, key: int, sig: Signature) -> None: ...

    def remove(self, key: int) -> None: ...

    def query(self, sig: Signature) -> list[int]: ...

    def __len__(self) -> int: ...


class LshIndex:
    """datasketch ``MinHashLSH`` (in memory), banded for ``threshold``."""

    def __init__(self, signer: Signer, threshold: float) -> None:
        self._signer = signer
        self._lsh = MinHashLSH(threshold=threshold, num_perm=signer.num_perm)
        self._count = 0

    def insert(self, key: int, sig: Signature) -> None:
        self._lsh.insert(key, self._signer.lean(sig), check_duplication=False)
        self._count += 1

    def remove(self, key: int) -> None:
        if key in self._lsh:
            self._lsh.remove(key)
            self._count -= 1

    def query(self, sig: Signature) -> list[int]:
        return [int(k) for k in self._lsh.query(self._signer.lean(sig))]

    def __len__(self) -> int:
        return self._count
