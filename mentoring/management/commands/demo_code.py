"""Print the demo coordinator's current two-factor code (the public demo key of seed_demo)."""

import time

from django.core.management.base import BaseCommand
from django_otp.oath import totp

from .seed_demo import demo_totp_key


class Command(BaseCommand):
    help = "Print the current 6-digit code for the demo coordinator (coordinator@example.org) and how long it lasts."

    def handle(self, *args, **options):
        now = int(time.time())
        code = totp(bytes.fromhex(demo_totp_key()), step=30, t0=0, digits=6)
        self.stdout.write(f"{code:06d}  (valid for about {30 - now % 30} more seconds)")
