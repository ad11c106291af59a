from django import forms
from django.utils.translation import gettext_lazy as _

from orientation.selectors import sites_visible_to

from .errors import RowError
from .reading import FileReadError, file_format, xlsx_size_check
from .registry import kind_choices

MAX_UPLOAD_MB = 50


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What does the file hold?"), choices=kind_choices, widget=forms.RadioSelect
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_("CSV (UTF-8, comma or semicolon) or Excel (.xlsx), the first row naming the columns."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        fmt = file_format(upload.name)
        if fmt is None:
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > MAX_UPLOAD_MB * 1024 * 1024:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB: split it into smaller files.")
                % {"size": MAX_UPLOAD_MB}
            )
        head = upload.read(4)
        upload.seek(0)
        if fmt == "xlsx" and head != b"PK\x03\x04":
            raise forms.ValidationError(_("This is not an Excel (.xlsx) file."))
        if fmt == "csv" and b"\x00" in head:
            raise forms.ValidationError(_("This is not a CSV text file."))
        if fmt == "xlsx":
            try:
                xlsx_size_check(upload)  # the zip's directory only: refused before it is stored
            except FileReadError as exc:
                raise forms.ValidationError(RowError(None, "", exc.code, exc.params).message) from None
        return upload


class PeopleExportForm(forms.Form):
    FORMAT_CHOICES = [("csv", _("CSV (UTF-8)")), ("xlsx", _("Excel (.xlsx)"))]

    reason = forms.CharField(
        label=_("Why do you need this export?"),
        help_text=_("Required. It is kept in the access log with your name and the time."),
        min_length=5,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    site = forms.ModelChoiceField(
        label=_("Site"), queryset=None, required=False, empty_label=_("All my sites")
    )
    format = forms.ChoiceField(
        label=_("Format"), choices=FORMAT_CHOICES, initial="csv", widget=forms.RadioSelect
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites_visible_to(user).order_by("code")

    def clean_reason(self):
        reason = " ".join(self.cleaned_data["reason"].split())
        if len(reason) < 5:
            raise forms.ValidationError(_("Say in a few words why you need this export."))
        return reason
