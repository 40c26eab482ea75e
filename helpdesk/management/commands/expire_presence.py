from django.core.management.base import BaseCommand

from helpdesk.services.presence import presence_expire_lapsed


class Command(BaseCommand):
    help = ("Take agents whose last workspace closed more than PRESENCE_GRACE_SECONDS ago off the Present lists "
            "and withdraw offers waiting for them (for cron; open workspaces also do it).")

    def handle(self, *args, **options):
        self.stdout.write(f"{presence_expire_lapsed()} agent(s) went offline.")
