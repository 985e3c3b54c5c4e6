from django.core.management.base import BaseCommand

from jobs.worker import Worker


class Command(BaseCommand):
    help = ("Run the queued jobs (playbooks through ansible-runner): the oldest first, one at a time per "
            "client, jobs over every client alone. SIGTERM stops the current job (failed: worker stopped) "
            "and exits.")

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true",
                            help="run the jobs that may start now, then exit instead of waiting for more")
        parser.add_argument("--poll", type=float, default=2.0, help="seconds between two looks at the queue (2)")

    def handle(self, *args, once=False, poll=2.0, **options):
        worker = Worker(poll=poll, once=once)
        worker.install_signals()
        ran = worker.loop()
        self.stdout.write(f"runjobs: {ran} job(s) run")
