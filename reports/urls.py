from django.urls import path

from reports import views

urlpatterns = [
    path("reports/", views.reports_page, name="reports"),
    path("reports/csv/", views.reports_csv, name="reports_csv"),
]
