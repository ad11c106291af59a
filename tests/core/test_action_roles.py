"""Where role checks live (docs/architecture.md): an action that takes the acting user checks again
the capability its write needs, in every app, so that a caller that skips the view (a command, a
task, another view) is refused too."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

ROOT = Path(__file__).resolve().parents[2]

ACTION_MODULES = [
    "cases.actions",
    "cases.case_status",
    "cases.imports.actions",
    "cases.arco.actions",
    "services.actions",
    "services.sport.actions",
    "reception.actions",
    "reports.actions",
    "reports.dhis2.actions",
]

# Actions that take a user but decide nothing about it, each with the reason.
EXEMPT = {
    # Steps of person_register and person_update, which check the role first.
    "cases.actions.household_create",
    "cases.actions.person_register_guard",
    # Access-log records of a page the view already allowed: the user is who is logged.
    "cases.actions.duplicate_check_record",
    "cases.actions.person_opened",
    "cases.actions.person_break_glass_page_shown",
    "cases.actions.case_note_opened",
    "reception.actions.visit_opened",
    # The ARCO engine's inner step: arco_request_anonymize checks; retention runs without a user.
    "cases.arco.actions.person_anonymize",
}


def _actions_with_a_user():
    for module in ACTION_MODULES:
        path = ROOT / (module.replace(".", "/") + ".py")
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                if "user" in [a.arg for a in node.args.kwonlyargs + node.args.args]:
                    yield module, node


def _checks_a_role(node: ast.FunctionDef) -> bool:
    for call in ast.walk(node):
        if (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and isinstance(call.func.value, ast.Name)
            and call.func.value.id == "roles"
            and call.func.attr in ("require", "has_role")
        ):
            return True
    return False


def test_every_action_taking_a_user_checks_a_role():
    found = list(_actions_with_a_user())
    assert len(found) > 30
    unchecked = [f"{m}.{n.name}" for m, n in found if not _checks_a_role(n) and f"{m}.{n.name}" not in EXEMPT]
    assert not unchecked, f"actions that take a user without checking a role: {unchecked}"
    names = {f"{m}.{n.name}" for m, n in found}
    assert EXEMPT <= names, f"exempt actions that no longer exist: {EXEMPT - names}"


def test_the_check_finds_an_action_without_one():
    source = "def thing_write(*, user, thing):\n    thing.save()\n"
    assert not _checks_a_role(ast.parse(source).body[0])
    assert _checks_a_role(ast.parse("def f(*, user):\n    roles.require(user, roles.ADMIN)\n").body[0])


# An action and a role its capability leaves out: the action refuses before touching anything.
REFUSED = [
    ("services.actions.direct_service_record", "facilitator"),
    ("services.actions.referral_create", "coordinator"),
    ("services.actions.referral_transition", "facilitator"),
    ("services.actions.referral_follow_up_log", "coordinator"),
    ("services.actions.referral_responsible_set", "facilitator"),
    ("services.actions.partner_link_create", "coordinator"),
    ("services.actions.referral_slip_print", "facilitator"),
    ("services.sport.actions.sport_group_create", "caseworker"),
    ("services.sport.actions.sport_group_update", "coordinator"),
    ("services.sport.actions.sport_session_start", "coordinator"),
    ("services.sport.actions.attendance_record", "coordinator"),
    ("services.sport.actions.attendance_mark_rest_present", "coordinator"),
    ("services.sport.actions.sport_participant_add", None),
    ("services.sport.actions.sport_light_profile_create", "coordinator"),
    ("services.sport.actions.sport_participant_leave", "coordinator"),
    ("services.sport.actions.head_count_set", "coordinator"),
    ("reception.actions.visit_check_in", "facilitator"),
    ("reception.actions.person_quick_register", "coordinator"),
    ("reception.actions.visit_call", "receptionist"),
    ("reception.actions.visit_call_next", "receptionist"),
    ("reception.actions.visit_no_answer", "receptionist"),
    ("reception.actions.visit_start", "receptionist"),
    ("reception.actions.visit_done", "receptionist"),
    ("reception.actions.visit_left", "coordinator"),
    ("reports.actions.report_run_request", "caseworker"),
    ("reports.dhis2.actions.dhis2_push_request", "caseworker"),
    ("cases.imports.actions.import_batch_create", "caseworker"),
    ("cases.imports.actions.import_batch_confirm", "facilitator"),
    ("cases.imports.actions.import_batch_abandon", "psychosocial"),
    ("cases.imports.actions.people_export_prepare", "caseworker"),
    ("cases.arco.actions.arco_request_create", "facilitator"),
    ("cases.arco.actions.arco_request_update", "facilitator"),
    ("cases.arco.actions.arco_request_anonymize", "caseworker"),
    ("cases.case_status.case_close", "coordinator"),
    ("cases.case_status.case_reopen", "facilitator"),
]


@pytest.mark.parametrize(("action", "role"), REFUSED)
def test_an_action_refuses_a_role_its_capability_leaves_out(
    action, role, make_user, django_assert_num_queries
):
    module, name = action.rsplit(".", 1)
    function = getattr(importlib.import_module(module), name)
    user = make_user(role)
    user.groups.count()  # the role lookup below is cached on the user: warm it up
    roles_module = importlib.import_module("orientation.roles")
    roles_module.user_roles(user)
    kwargs = {
        parameter.name: None
        for parameter in inspect.signature(function).parameters.values()
        if parameter.kind is parameter.KEYWORD_ONLY and parameter.default is parameter.empty
    }
    kwargs["user"] = user
    # Every other argument is None: the action refuses before it reads or writes anything (it would
    # fail otherwise on the first use of an argument, with another error).
    with pytest.raises(PermissionDenied):
        function(**kwargs)
