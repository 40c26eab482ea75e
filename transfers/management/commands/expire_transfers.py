from django.core.management.base import BaseCommand

from transfers.services import transfers_expire_due


class Command(BaseCommand):
    help = "Time out transfers nobody answered in their channel's time (for cron; open workspaces also do it)."

    def handle(self, *args, **options):
        self.stdout.write(f"Expired {transfers_expire_due()} transfer(s).")
