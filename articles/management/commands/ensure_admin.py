import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create the first admin account if there is none, and print its password once."

    def add_arguments(self, parser):
        parser.add_argument("--username", default=os.environ.get("NEWSROOM_ADMIN_USER", "admin"))

    def handle(self, *args, **options):
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write("An admin account already exists; its password was printed when it was created.")
            return
        password = os.environ.get("NEWSROOM_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        User.objects.create_superuser(options["username"], "", password)
        shown = "(from NEWSROOM_ADMIN_PASSWORD)" if os.environ.get("NEWSROOM_ADMIN_PASSWORD") else password
        self.stdout.write(f"Admin account created: user {options['username']!r}, password {shown}")
        self.stdout.write("This password is shown only once; change it in the admin after logging in.")
