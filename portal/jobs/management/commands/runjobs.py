from django.core.management.base import BaseCommand

from jobs.worker import Worker


class Command(BaseCommand):
    help = ("Run the queued jobs (playbooks through ansible-runner): the oldest first, one at a time per "
            "client, jobs over every client alone. SIGTERM lets the current job end (at most --grace "
            "seconds, then it is stopped: failed, worker stopped), records it and exits; a second SIGTERM "
            "stops it at once.")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true",
                            help="run the jobs that may start now, then exit instead of waiting for more")
        parser.add_argument("--poll", type=float, default=2.0, help="seconds between two looks at the queue (2)")
        parser.add_argument("--grace", type=float, default=60.0,
                            help="seconds the current job may go on after SIGTERM before it is stopped (60)")

    def handle(self, *args, once=False, poll=2.0, grace=60.0, **options):
        worker = Worker(poll=poll, once=once, grace=grace)
        worker.install_signals()
        ran = worker.loop()
        self.stdout.write(f"runjobs: {ran} job(s) run")
