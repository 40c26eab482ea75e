from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from reports.percentiles import register_on_sqlite

        connection_created.connect(register_on_sqlite, dispatch_uid="reports_percentile_on_sqlite")
