"""After a job: the audit says what came of it. The entries linked to the job (the change or the
action that queued it) get its result, and one entry records the run itself."""
from audit.models import Result
from audit.record import record
from jobs.models import Kind, State

# The action of the entry that records a job's run.
RUN_ACTION = "job.run"
# Jobs that change the Docker hosts: a success is "applied", not just "done".
APPLYING = (Kind.APPLY, Kind.CONVERGE, Kind.UPGRADE, Kind.REMOVE)


def audit_result(job):
    if job.state == State.SUCCEEDED:
        return Result.APPLIED if job.kind in APPLYING else Result.OK
    if job.state == State.FAILED:
        # The change is committed in git; the Docker host does not have it yet.
        return Result.NOT_APPLIED if job.failed_apply else Result.FAILED
    return Result.QUEUED


def run_summary(job):
    """One line, the same in every language: which playbook, on what, how it ended."""
    target = f" -e client={job.client}" if job.client else ""
    counts = ""
    if job.summary:
        totals = {key: sum(host.get(key, 0) for host in job.summary.values()) for key in ("ok", "changed", "failed")}
        counts = " (" + " ".join(f"{key}={value}" for key, value in totals.items()) + ")"
    error = f": {job.error.splitlines()[0][:300]}" if job.state == State.FAILED and job.error else ""
    return f"#{job.pk} {job.playbook}{target}: {job.state}{counts}{error}"


def finish(job):
    """Called once a job is done (succeeded or failed)."""
    result = audit_result(job)
    job.audit_entries.exclude(action=RUN_ACTION).update(result=result)
    return record(job.created_by, RUN_ACTION, run_summary(job), client=job.client, result=result,
                  commit=job.commit, job=job)
