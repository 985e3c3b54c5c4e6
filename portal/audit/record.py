"""Write an audit entry; every change and action of the portal goes through here. Secrets in
the summary and the diff are masked (audit/masking.py) before anything is saved."""
from audit.masking import mask
from audit.models import Entry, Result


def record(user, action, summary, client="", diff="", result=Result.OK, commit="", job=None):
    return Entry.objects.create(user=user if user and user.is_authenticated else None,
                                user_email=getattr(user, "email", "") or "", client=client, action=action,
                                summary=mask(summary), diff=mask(diff), result=result, commit=commit, job=job)
