"""Forms of the cases app, by topic: a person and their documents, search and filter (``people``),
the registration page (``registration``), the records added to a case (``records``)."""

from .people import (  # noqa: F401
    FREQUENT_NATIONALITIES,
    MAX_REGISTRATION_DOCUMENTS,
    DateInput,
    DocumentForm,
    ExtraDocumentFormSet,
    ExtraDocuments,
    HouseholdForm,
    PersonEditForm,
    PersonFilterForm,
    PersonForm,
    PersonSearchForm,
    nationality_choices,
)
from .plan import (  # noqa: F401
    CaseloadReassignForm,
    PlanActionCloseForm,
    PlanActionForm,
    PlanReassignForm,
    plan_formset,
)
from .records import (  # noqa: F401
    ArchiveForm,
    BreakGlassForm,
    CaseCloseForm,
    CaseNoteForm,
    CaseReopenForm,
    ConsentForm,
    ConsentWithdrawForm,
    IntakeForm,
    RegularizationStatusForm,
)
from .registration import (  # noqa: F401
    DuplicateCheckForm,
    RegistrationConsentForm,
    RegistrationForms,
)
from .transfer import SiteRequestDecisionForm, SiteRequestForm  # noqa: F401
