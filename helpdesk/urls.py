from django.contrib import admin
from django.urls import include, path

from helpdesk.views import contacts, password_reset, profile, requests

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/password_reset/", password_reset.password_reset, name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("presence/", profile.set_presence, name="set_presence"),
    path("language/", profile.switch_language, name="switch_language"),
    path("sounds/", profile.set_sounds, name="set_sounds"),
    path("chats/<int:session_id>/contact/", contacts.panel, name="contact_panel"),
    path("chats/<int:session_id>/contact/search/", contacts.search, name="contact_search"),
    path("chats/<int:session_id>/contact/link/", contacts.link, name="contact_link"),
    path("chats/<int:session_id>/contact/new/", contacts.create, name="contact_create"),
    path("chats/<int:session_id>/request/new/", requests.request_form, name="request_form"),
    path("chats/<int:session_id>/request/", requests.create, name="request_create"),
    path("requests/", requests.request_list, name="requests"),
    path("requests/<int:request_id>/", requests.request_detail, name="request_detail"),
    path("requests/<int:request_id>/assign/", requests.request_assign, name="request_assign"),
    path("requests/<int:request_id>/take/", requests.request_take, name="request_take"),
    path("requests/<int:request_id>/status/", requests.request_status, name="request_status"),
    path("requests/<int:request_id>/reply/", requests.request_reply, name="request_reply"),
    path("", include("reports.urls")),
    path("", include("meetings.urls")),
    path("", include("transfers.urls")),
    path("", include("chat.urls")),
]

handler400 = "helpdesk.http.bad_request"
