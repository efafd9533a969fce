"""Send queued webhooks and WebSub pings, and announce articles that went live or expired by their times."""

import signal
import time

from django.core.management.base import BaseCommand

from ...webhooks import worker


class Command(BaseCommand):
    help = ("Send due webhook deliveries and WebSub pings (retrying failures with backoff), and announce "
            "scheduled articles as they go live. Runs until stopped (SIGTERM finishes the delivery in hand); "
            "--once sends what is due now and exits.")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Send what is due now, then exit.")
        parser.add_argument("--interval", type=float, default=1.0,
                            help="Seconds between looks at the queue when it is empty (default 1).")
        parser.add_argument("--batch", type=int, default=20, help="Deliveries claimed at a time (default 20).")

    def handle(self, *args, once=False, interval=1.0, batch=20, **options):
        if interval <= 0 or batch <= 0:
            self.stderr.write("--interval and --batch must be more than 0.")
            raise SystemExit(2)
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        sent = 0
        while not stopping:
            attempted = worker.run_once(batch=batch)
            sent += attempted
            if once and not attempted:
                break
            if not attempted:
                time.sleep(interval)
        if options["verbosity"]:
            self.stdout.write(f"attempted {sent} deliveries")
