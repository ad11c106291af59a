"""Reads of the cases app, scoped to the user asking, by topic: who may see which people and the
people list (``people``), duplicate detection (``duplicates``), the person page (``person_page``),
intakes, consents and expiring documents (``records``).

No view fetches a person with a bare ``Person.objects.get``: it calls ``person_get_for_user``,
which checks the role, the sites and break-the-glass grants.
"""

from .case_status import (  # noqa: F401
    case_activity_since,
    case_last_closing,
    case_open_items,
    case_status_changes,
)
from .duplicates import (  # noqa: F401
    DUPLICATE_AGE_GAP_DAYS,
    DUPLICATE_AGE_GAP_ESTIMATED_DAYS,
    DUPLICATE_BIRTH_DATE_NAME_THRESHOLD,
    DUPLICATE_FAMILY_MEAN_SAME_GIVEN,
    DUPLICATE_NAME_THRESHOLD,
    DUPLICATE_WORD_MATCH,
    DUPLICATE_WORD_MATCH_HOUSEHOLD,
    DUPLICATE_WORD_MATCH_SAME_BIRTH,
    REVIEW_BLOCK_LIMIT,
    REVIEW_PAIR_LIMIT,
    DuplicateCandidate,
    DuplicatePair,
    duplicate_pair_get,
    duplicate_pairs_for_user,
    merge_of_pair,
    merges_undoable_of,
    person_duplicate_candidates,
    person_merge_get_for_user,
)
from .people import (  # noqa: F401
    BREAK_GLASS_HOURS,
    BREAK_GLASS_LINK_SECONDS,
    ELSEWHERE_CANDIDATES,
    PERSON_SORT_LABELS,
    PERSON_SORTS,
    BreakGlassRequired,
    PersonElsewhere,
    SearchTerm,
    age_band_q,
    break_glass_person_ids,
    break_glass_token,
    break_glass_token_person_id,
    case_note_get_for_user,
    household_get_by_code,
    household_member_initial,
    household_members,
    people_elsewhere,
    people_for_list,
    people_mark_open_referrals,
    people_matching,
    people_visible_to,
    people_with_open_referrals,
    person_get_for_user,
    person_in_scope,
    person_is_open_to,
    person_minimal_get,
    person_open_or_none,
    program_people_condition,
    reads_by_program,
)
from .person_page import (  # noqa: F401
    HISTORY_LIMIT,
    TRACKED_FIELDS,
    FieldChange,
    PersonChange,
    person_changes,
    person_page,
)
from .records import (  # noqa: F401
    EXPIRY_WINDOWS,
    consent_get_for_user,
    documents_expiring_for,
    intakes_today,
)
