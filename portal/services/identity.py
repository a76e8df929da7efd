"""Second identity factor for the phone line: the postal code of the dossier's address.

A caller gives a numéro de dossier and the postal code where the fund writes to them; only a
matching pair unlocks personal information (masked e-mail, a password reset). The answer is
the same whether the dossier or the postal code is wrong, so nobody learns which one exists.
"""

from __future__ import annotations

import hmac

from sqlalchemy.orm import Session

from portal.services.accounts import find_member


def verify(session: Session, profile: str, dossier_number: str, postal_code: str) -> bool:
    """True when the dossier exists for this profile and its address has this postal code."""
    member = find_member(session, profile, dossier_number)
    expected = member.postal_code if member is not None else "00000-unknown"
    # Constant-time comparison, and the same work whether the dossier exists or not.
    return hmac.compare_digest(expected.replace(" ", ""), postal_code) and member is not None
