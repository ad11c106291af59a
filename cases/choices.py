"""Codes shared by people and every contact (fixed by the design's counting and import contracts)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    OTHER = "X", _("Other / not stated")


class PopulationType(models.TextChoices):
    DESTINATION = "destination", _("Destination (settled)")
    TRANSIT = "transit", _("In transit")
    PENDULAR = "pendular", _("Pendular")
    HOST = "host", _("Host community")
    RETURNEE = "returnee", _("Peruvian returnee")


class MessageLanguage(models.TextChoices):
    """The language of the messages sent to a person (reminders); Spanish unless they ask."""

    SPANISH = "es", _("Spanish")
    ENGLISH = "en", _("English")


class DocumentType(models.TextChoices):
    DNI = "dni", _("DNI")
    CE = "ce", _("Carné de extranjería")
    CPP = "cpp", _("CPP (temporary stay permit card)")
    PTP = "ptp", _("PTP")
    CEDULA_VE = "cedula_ve", _("Venezuelan cédula")
    PASSPORT = "passport", _("Passport")
    REFUGEE_CARD = "refugee_card", _("Refugee applicant card")
    BIRTH_CERT = "birth_cert", _("Birth certificate")


class AgeBand(models.TextChoices):
    B0_4 = "0-4", "0-4"
    B5_11 = "5-11", "5-11"
    B12_17 = "12-17", "12-17"
    B18_59 = "18-59", "18-59"
    B60 = "60+", "60+"
    UNKNOWN = "unknown", _("unknown")


AGE_BANDS = [(0, 4, "0-4"), (5, 11, "5-11"), (12, 17, "12-17"), (18, 59, "18-59"), (60, 200, "60+")]


def age_on(birth_date, day) -> int | None:
    """Completed years on a day (a birthday on that day counts; 29 Feb births turn on 1 Mar)."""
    if birth_date is None:
        return None
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def age_band(birth_date, day) -> str:
    age = age_on(birth_date, day)
    if age is None:
        return AgeBand.UNKNOWN
    for low, high, code in AGE_BANDS:
        if low <= age <= high:
            return code
    return AgeBand.UNKNOWN
