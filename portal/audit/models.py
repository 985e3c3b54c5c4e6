"""The audit log: who did what to which client, when, with what result. Each change to the
inventory is also a git commit (named here); secrets are masked before an entry is written."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Result(models.TextChoices):
    OK = "ok", _("done")
    REFUSED = "refused", _("refused")
    QUEUED = "queued", _("queued")
    APPLIED = "applied", _("applied")
    NOT_APPLIED = "not_applied", _("committed, not applied")
    FAILED = "failed", _("failed")


class Entry(models.Model):
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("who"), null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    # Kept when the user is deleted.
    user_email = models.EmailField(_("who"), blank=True)
    # The client the entry is about; empty for back-office actions on no one client.
    client = models.CharField(_("client"), max_length=63, blank=True, db_index=True)
    action = models.CharField(_("action"), max_length=40)
    summary = models.TextField(_("what"))
    diff = models.TextField(_("diff"), blank=True)
    result = models.CharField(_("result"), max_length=20, choices=Result.choices, default=Result.OK)
    commit = models.CharField(_("commit"), max_length=40, blank=True)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries")

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_email} {self.action} {self.client}"
