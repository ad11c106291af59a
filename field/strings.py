"""The words of the field screens' script, translated on the server and handed to the page as JSON
(the shell is cached in the language it was last opened in)."""

from __future__ import annotations

from django.utils.translation import gettext as _


def ui_strings() -> dict[str, str]:
    return {
        "online": _("Online"),
        "offline": _("Offline"),
        "waiting": _("Waiting to be sent: %(count)s"),
        "last_sync": _("Last sync: %(when)s"),
        "never_synced": _("Not synced yet"),
        "sync_now": _("Sync now"),
        "syncing": _("Syncing…"),
        "sign_in_again": _("Your session has ended: sign in again to send what is waiting."),
        "not_allowed": _(
            "Your role no longer allows you to keep these lists: they were deleted from this device. "
            "Saves the server refused stay under “Needs attention”."
        ),
        "sync_failed": _("The server could not be reached: what is waiting stays on this device."),
        "no_data": _("Nothing is stored on this device yet: open this page once with a connection."),
        "expired": _(
            "What this device kept has expired (after %(days)s days): open this page with a connection."
        ),
        "data_from": _("Groups and lists as of %(when)s."),
        "groups": _("My groups"),
        "no_groups": _("You have no active group to take attendance in."),
        "participants": _("%(count)s participants"),
        "sessions": _("Sessions"),
        "no_sessions": _("No session today or in the coming days."),
        "take_attendance_today": _("Take today's attendance"),
        "activity": _("Activity"),
        "open": _("Open"),
        "back": _("Back to my groups"),
        "attendance": _("Attendance"),
        "present": _("Present"),
        "absent": _("Absent"),
        "all_present": _("Mark everyone not recorded yet present"),
        "tally": _("Present %(present)s · absent %(absent)s · not recorded %(pending)s"),
        "age": _("%(age)s years"),
        "state_saved": _("saved"),
        "state_waiting": _("waiting to be sent"),
        "state_attention": _("needs attention"),
        "future_session": _("This session is in the future: attendance can be taken from its day on."),
        "needs_attention": _("Needs attention"),
        "needs_attention_help": _(
            "The server refused these submissions. They stay here until you discard them."
        ),
        "discard": _("Discard"),
        "attendance_label": _("Attendance of %(name)s: %(mark)s"),
        "head_count": _("Anonymous head count"),
        "head_count_label": _("Head count of %(session)s: %(total)s people"),
        "save_head_count": _("Save the head count"),
        "head_count_saved": _("Head count kept: it will be sent with the rest."),
        "light_profile": _("Register a new participant"),
        "light_profile_label": _("New participant %(name)s"),
        "light_profile_saved": _("Participant kept: they are marked present and will be sent with the rest."),
        "given_names": _("Given names"),
        "family_names": _("Family names"),
        "sex": _("Sex"),
        "birth_date": _("Birth date"),
        "birth_date_estimated": _("The birth date is estimated"),
        "nationality": _("Nationality"),
        "population_type": _("Population type"),
        "guardian_name": _("Parent or guardian's name"),
        "guardian_relationship": _("Relationship to the participant"),
        "guardian_phone": _("Guardian's phone"),
        "consent_method": _("How consent was given"),
        "data_consent": _("The parent or guardian consents to the processing of the participant's data"),
        "outreach_data_consent": _("Consent to the processing of personal data"),
        "image_consent": _(
            "The parent or guardian consents to the use of the participant's image (photos, video)"
        ),
        "data_consent_help": _("Required to register anyone under 18."),
        "correct": _("Correct the name"),
        "correction_save": _("Save the correction"),
        "correction_label": _("Correction of %(name)s"),
        "correction_saved": _("Correction kept: it will be sent with the rest."),
        "correction_waiting": _("correction waiting to be sent"),
        "correction_birth_help": _("Leave the birth date empty to keep the one the server has."),
        "new_waiting": _("New participants waiting to be sent"),
        "site": _("Site"),
        "phone": _("Phone"),
        "outreach": _("Outreach registration"),
        "outreach_help": _(
            "The fields that find the person again later. A possible duplicate is sent back to be "
            "checked on-line."
        ),
        "outreach_save": _("Register"),
        "outreach_label": _("Registration of %(name)s"),
        "outreach_saved": _("Registration kept: it will be sent with the rest."),
        "outreach_consent_help": _("The person consents to the processing of their personal data."),
        "conflict_rule": _(
            "Two facilitators marking the same session: their present marks are combined, and a "
            "present mark is not undone by someone else's absent mark."
        ),
        "confirm_sign_out": _(
            "%(count)s submissions have not reached the server yet. Signing out deletes them from "
            "this device. Sign out anyway?"
        ),
    }
