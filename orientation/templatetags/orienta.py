from django import template

from orientation import roles

register = template.Library()


@register.filter
def has_role(user, role_names: str) -> bool:
    """``{% if user|has_role:"caseworker,psychosocial" %}``."""
    return roles.has_role(user, *[r.strip() for r in role_names.split(",")])


@register.filter
def percent(value, total):
    try:
        if not total:
            return None
        return round(100 * float(value) / float(total))
    except (TypeError, ValueError):
        return None


@register.simple_tag(takes_context=True)
def submission_key(context) -> str:
    """The one-time key of a create form (see ``orientation.submission``)."""
    from orientation.submission import submission_key_for_form

    request = context.get("request")
    if request is None:
        from orientation.submission import submission_key_new

        return submission_key_new()
    return submission_key_for_form(request)
