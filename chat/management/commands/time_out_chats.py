from django.core.management.base import BaseCommand

from chat.services.timeouts import chats_time_out
from live.events import sent_together


class Command(BaseCommand):
    help = (
        "Abandon waiting chats whose visitor left, mark visitors who left, end inactive chats and return the "
        "chats of Away agents to the queue where their channel says so (for cron; open sockets also do it)."
    )

    def handle(self, *args, **options):
        with sent_together():
            done = chats_time_out()
        self.stdout.write(
            f"Abandoned {done['abandoned']} chat(s), marked {done['left']} visitor(s) as left, ended "
            f"{done['inactive']} chat(s) by inactivity, returned {done['requeued']} chat(s) to the queue."
        )
