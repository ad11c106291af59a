from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import ReceptionSetting


@admin.register(ReceptionSetting)
class ReceptionSettingAdmin(SimpleHistoryAdmin):
    list_display = ["site", "no_answer"]
    list_select_related = ["site"]
