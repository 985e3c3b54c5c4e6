"""The audit log: who did what to which client, when, with what result. Each change to the
inventory is also a git commit (named here); secrets are masked before an entry is written."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _, pgettext_lazy


class Result(models.TextChoices):
    # A context of their own: other apps translate the same English words for other things
    # (a job "failed" is feminine in French, an entry's result is not).
    OK = "ok", pgettext_lazy("audit result", "done")
    REFUSED = "refused", pgettext_lazy("audit result", "refused")
    QUEUED = "queued", pgettext_lazy("audit result", "queued")
    APPLIED = "applied", pgettext_lazy("audit result", "applied")
    NOT_APPLIED = "not_applied", pgettext_lazy("audit result", "committed, not applied")
    FAILED = "failed", pgettext_lazy("audit result", "failed")


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
