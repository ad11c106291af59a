from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

admin.site.site_header = "Orienta"
admin.site.site_title = "Orienta"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("orientation.mfa.urls")),
    path("i18n/setlang/", views.language_set, name="set_language"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read/", views.notification_mark_read, name="notification_mark_read"),
    path("health/", views.health, name="health"),
    path("people/", include("cases.urls")),
    path("people/", include("cases.imports.urls")),
    path("people/", include("cases.arco.urls")),
    path("services/", include("services.urls")),
    path("reports/dhis2/", include("reports.dhis2.urls")),
    path("services/", include("services.sport.urls")),
    path("reception/", include("reception.urls")),
    path("field/", include("field.urls")),
    path("reports/", include("reports.urls")),
    path("api/", include("api.urls")),
    path("", include("api.web_urls")),
    path("admin/", admin.site.urls),
]

handler403 = "orientation.views.error_403"
handler404 = "orientation.views.error_404"
handler500 = "orientation.views.error_500"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
