"""How long free text may be, in one place. Every free-text field (models and forms) takes its
limit from here, so a pasted document or a stuck key gets a clear message instead of being stored.

The form shows the limit (the browser stops typing there) and refuses a longer text with the
number of characters it has; the model refuses it too (``full_clean`` in the actions)."""

from django.core.validators import MaxLengthValidator

NOTE = 5000  # a case note, the notes of an intake
CONFIDENTIAL_NOTE = 20000  # a psychosocial session's confidential note
RECORD_NOTE = 2000  # notes of a service, a referral's reason and outcome, a follow-up, a description
REASON = 1000  # a reason or a comment kept with a decision
RESOLUTION = 4000  # what was done about an ARCO request


def text_limit(limit: int) -> dict:
    """Keyword arguments for a model ``TextField``: the form's limit and the model's check."""
    return {"max_length": limit, "validators": [MaxLengthValidator(limit)]}
