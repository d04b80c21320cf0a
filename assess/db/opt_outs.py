"""The addresses that want no team invitation, kept as hashes of their lower-case form."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from assess.db.models import InvitationOptOut
from assess.extensions import db


def address_hash(address: str) -> str:
    """How an opted-out address is kept: the SHA-256 of its lower-case form."""
    return hashlib.sha256(address.strip().lower().encode()).hexdigest()


def opted_out(addresses: list[str]) -> set[str]:
    """Those of `addresses` that asked for no invitation."""
    if not addresses:
        return set()
    hashes = {address_hash(address): address for address in addresses}
    found = db.session.execute(
        select(InvitationOptOut.address_hash).where(InvitationOptOut.address_hash.in_(hashes))
    ).scalars()
    return {hashes[found_hash] for found_hash in found}
