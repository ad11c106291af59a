"""Document numbers never travel in URLs: no URL pattern takes one, no GET form asks for one
(search posts them), and the authorization walk checks that no link of any page carries a seeded
person's document number (test_authorization_walk.links_of)."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

from .url_matrix import resolver_urls

TEMPLATES = Path(settings.BASE_DIR) / "templates"
DOCUMENT_WORDS = re.compile(
    r"document|documento|doc_number|doc_type|dni\b|cedula|c[ée]dula|passport|pasaporte|carn[eé]",
    re.IGNORECASE,
)
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.IGNORECASE | re.DOTALL)
METHOD_POST = re.compile(r"""method\s*=\s*["']?post""", re.IGNORECASE)


def get_forms_asking_for_documents(html: str) -> list[str]:
    """GET forms (method get or none) whose fields or labels mention a document."""
    found = []
    for attributes, body in FORM.findall(html):
        if METHOD_POST.search(attributes):
            continue
        names = re.findall(r"""name\s*=\s*["']([^"']+)["']""", body)
        placeholders = re.findall(r"""(?:placeholder|aria-label)\s*=\s*["']([^"']+)["']""", body)
        labels = re.findall(r"<label[^>]*>(.*?)</label>", body, re.DOTALL)
        if any(DOCUMENT_WORDS.search(text) for text in names + placeholders + labels):
            found.append(attributes.strip() or "<form>")
    return found


def test_the_scanner_catches_a_get_search_for_documents():
    bad = '<form action="/people/"><input name="q" placeholder="Nombre o documento"></form>'
    also_bad = '<form method="get"><input name="document_number"></form>'
    fine = '<form method="post"><input name="document_number"></form><form><input name="q" placeholder="Nombre"></form>'
    assert get_forms_asking_for_documents(bad) and get_forms_asking_for_documents(also_bad)
    assert not get_forms_asking_for_documents(fine)


def test_no_template_has_a_get_form_asking_for_a_document_number():
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for form in get_forms_asking_for_documents(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(TEMPLATES)}: {form}")
    assert not offenders, "GET forms that would put a document number in the URL (use POST):\n" + "\n".join(
        offenders
    )


def test_no_url_pattern_takes_a_document_number():
    offenders = [
        u.route for u in resolver_urls() if re.search(r"<[^>]*(document|number|doc|dni)[^>]*>", u.route, re.I)
    ]
    assert not offenders, offenders


def test_no_get_form_class_has_a_document_field():
    """Form classes used for GET (filters, searches) must not have a document field: a filter form
    is recognised by its name (…FilterForm / …SearchForm) or a django-filter FilterSet."""
    import django_filters
    from django import forms

    resolver_urls()  # imports every view module, and so every form the project uses

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    offenders = []
    for form_class in subclasses(forms.Form):
        module = form_class.__module__.split(".")[0]
        if module not in {"cases", "services", "reports", "orientation"}:
            continue
        if form_class.__name__.endswith(("FilterForm", "SearchForm")):
            for field_name in form_class.base_fields:
                if DOCUMENT_WORDS.search(field_name):
                    offenders.append(f"{form_class.__module__}.{form_class.__name__}.{field_name}")
    for filterset in subclasses(django_filters.FilterSet):
        if filterset.__module__.split(".")[0] in {"cases", "services", "reports", "orientation"}:
            for field_name in filterset.base_filters:
                if DOCUMENT_WORDS.search(field_name):
                    offenders.append(f"{filterset.__module__}.{filterset.__name__}.{field_name}")
    assert not offenders, offenders
