"""Users, hosts and jobs the jobs tests share."""
from accounts.models import Role, User
from jobs.models import Job, Kind, State
from jobs.queue import PLAYBOOKS

BACKOFFICE = "opt.coaxis.test"
PASSWORD = "a long enough password 1"


def technician(email="tech@coaxis.test"):
    return User.objects.create_technician(email, PASSWORD)


def client_admin(client, email=None):
    return User.objects.create_user(email or f"admin@{client}.test", PASSWORD, role=Role.CLIENT_ADMIN, client=client)


def stored_job(kind=Kind.APPLY, client="acme", state=State.SUCCEEDED, **fields):
    """A job as the worker leaves it, without running anything."""
    extravars = fields.pop("extravars", {"client": client} if client else {})
    return Job.objects.create(kind=kind, client=client, playbook=PLAYBOOKS[kind], state=state, extravars=extravars,
                              **fields)
