from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from helpdesk.demo import DEMO_PASSWORD, create_demo_data


class Command(BaseCommand):
    help = "Create the demo channel 'support' and the demo users (password 'demo'). Only with DEBUG on."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Refusing to create demo users with a known password while DEBUG is off. "
                "The demo data is for local trials: run it with DEBUG=1 (as `make run` does)."
            )
        demo = create_demo_data()
        self.stdout.write(f"Channel: {demo.channel.name} (/widget/{demo.channel.slug}/)")
        roles = {
            "alice": "agent",
            "bob": "agent",
            "carol": "agent, Can listen in",
            "maria": f"manager (group {demo.managers.name}, admin access)",
        }
        for username, user in demo.users.items():
            self.stdout.write(f"User: {username:<6} {user.get_full_name():<16} {roles[username]}")
        self.stdout.write(self.style.SUCCESS(f"Demo data ready; every demo password is '{DEMO_PASSWORD}'."))
