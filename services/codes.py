import secrets

# Crockford base32 without look-alikes (no I, L, O, U): easy to read aloud and type from a slip.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def referral_code_new() -> str:
    """A short, unguessable slip code such as ``R-7KQ2-M9XD``."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"R-{raw[:4]}-{raw[4:]}"
