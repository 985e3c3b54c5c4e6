"""Jobs: one playbook run through ansible-runner. Jobs of one client run one at a time, in
order; the worker (manage.py runjobs) claims them."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    APPLY = "apply", _("apply the inventory (add_client.yml)")
    TUNNEL = "tunnel", _("tunnel action (tunnel.yml)")
    STATUS = "status", _("status probes (status.yml)")
    REMOVE = "remove", _("remove the client (remove_client.yml)")
    UPGRADE = "upgrade", _("upgrade (upgrade.yml)")
    DRIFT = "drift", _("drift report (drift.yml)")
    CONVERGE = "converge", _("converge every client (site.yml)")


class State(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")


class Job(models.Model):
    # The client the job is for; empty for a job over every client (converge, upgrade, drift).
    client = models.CharField(_("client"), max_length=63, blank=True, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    playbook = models.CharField(_("playbook"), max_length=100)
    extravars = models.JSONField(_("extra variables"), default=dict, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.QUEUED, db_index=True)
    # The inventory commit the job applies (empty for jobs that change nothing in git).
    commit = models.CharField(_("commit"), max_length=40, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # The playbook's task names as they start, then its recap per host.
    progress = models.JSONField(_("progress"), default=list, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    # What the playbook produced for the pages (the status report's clients, say).
    result = models.JSONField(_("result"), default=dict, blank=True)
    retry_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retries")
    # The language of the user who queued the job: the playbook's messages come in it (opt_lang).
    lang = models.CharField(_("language"), max_length=8, default="en")
    # The worker running the job ("<host name>:<pid>"), so a worker that starts again can tell
    # its own dead runs from another worker's live ones.
    worker = models.CharField(_("worker"), max_length=120, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")

    def __str__(self):
        return f"#{self.pk} {self.kind} {self.client or '*'} {self.state}"

    @property
    def done(self):
        return self.state in (State.SUCCEEDED, State.FAILED)

    @property
    def failed_apply(self):
        """An apply whose commit is in git but not on the Docker host: "committed, not applied"."""
        return self.state == State.FAILED and self.kind in (Kind.APPLY, Kind.CONVERGE) and bool(self.commit)
