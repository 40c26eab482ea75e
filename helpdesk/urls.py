from django.contrib import admin
from django.urls import include, path

from helpdesk import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("presence/", views.set_presence, name="set_presence"),
    path("language/", views.switch_language, name="switch_language"),
    path("", include("transfers.urls")),
    path("", include("chat.urls")),
]

handler400 = "helpdesk.http.bad_request"
