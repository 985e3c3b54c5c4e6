"""Write an audit entry; every change and action of the portal goes through here."""
from audit.models import Entry, Result


def record(user, action, summary, client="", diff="", result=Result.OK, commit="", job=None):
    return Entry.objects.create(user=user if user and user.is_authenticated else None,
                                user_email=getattr(user, "email", "") or "", client=client, action=action,
                                summary=summary, diff=diff, result=result, commit=commit, job=job)
