"""Queue a playbook run. The worker (manage.py runjobs) runs the jobs of one client one at a
time, oldest first; jobs over every client wait for each client's jobs, and the Docker host's
lock (taken by the playbooks) serialises them with operators and AWX."""
from jobs.models import Job, Kind

# The playbook each kind runs, relative to settings.PORTAL_PLAYBOOKS.
PLAYBOOKS = {
    Kind.APPLY: "add_client.yml",
    Kind.TUNNEL: "tunnel.yml",
    Kind.STATUS: "status.yml",
    Kind.REMOVE: "remove_client.yml",
    Kind.UPGRADE: "upgrade.yml",
    Kind.DRIFT: "drift.yml",
    Kind.CONVERGE: "add_client.yml",
}


def enqueue(kind, client="", user=None, commit="", extravars=None, retry_of=None):
    """A new queued job; ``client`` is passed to the playbook as ``-e client=<client>``."""
    variables = dict(extravars or {})
    if client:
        variables.setdefault("client", client)
    return Job.objects.create(kind=kind, client=client, playbook=PLAYBOOKS[kind], extravars=variables,
                              commit=commit, created_by=user, retry_of=retry_of)
