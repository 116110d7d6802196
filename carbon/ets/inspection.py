"""双随机、一公开: a random draw of emitters to inspect and of inspectors to send, reproducible by anyone.

The draw is a pure function of a published seed and the published population, with no dependence on
Python's ``random`` (whose algorithm may change between versions):

    rank(item) = SHA-256 of the UTF-8 text  "<seed>\\n<item>"                (hex digest)
    emitters   = the k emitters (USCCs) with the smallest rank
    inspectors = for each drawn emitter, the m inspectors with the smallest SHA-256 of
                 "<seed>\\n<emitter USCC>\\n<inspector id>"

So with a shell: ``printf '%s\\n%s' SEED USCC | sha256sum`` for every USCC, sort, take the first k. The
seed comes from ``secrets`` (128 bits) unless the bureau supplies one (e.g. drawn in public), and is
stored and published with the population's fingerprint before results are recorded.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from carbon.core.errors import ValidationError


def new_seed() -> str:
    return secrets.token_hex(16)


def rank(seed: str, *parts: str) -> str:
    return hashlib.sha256("\n".join((seed, *parts)).encode("utf-8")).hexdigest()


def population_fingerprint(items: list[str]) -> str:
    """SHA-256 of the sorted population, one item per line: what the published draw was taken from."""
    return hashlib.sha256("\n".join(sorted(items)).encode("utf-8")).hexdigest()


@dataclass
class Draw:
    seed: str
    population_sha256: str
    emitters: list[str]
    inspectors: dict[str, list[str]]


def draw(seed: str, *, emitters: list[str], k: int, inspectors: list[str], per_emitter: int) -> Draw:
    """Draw ``k`` emitters and ``per_emitter`` inspectors for each, deterministically from ``seed``."""
    if not seed or not seed.strip():
        raise ValidationError(key="ets_seed_empty", field="seed")
    pop = sorted(set(emitters))
    if len(pop) != len(emitters):
        raise ValidationError(key="ets_population_twice", field="emitters")
    if not 0 < k <= len(pop):
        raise ValidationError(key="ets_draw_k", params={"n": len(pop), "k": k}, field="k")
    pool = sorted(set(inspectors))
    if not 0 < per_emitter <= len(pool):
        raise ValidationError(key="ets_per_emitter", params={"n": len(pool)}, field="per_emitter")
    chosen = sorted(pop, key=lambda u: rank(seed, u))[:k]
    sent = {u: sorted(pool, key=lambda i: rank(seed, u, i))[:per_emitter] for u in chosen}
    return Draw(seed, population_fingerprint(pop), chosen, sent)
