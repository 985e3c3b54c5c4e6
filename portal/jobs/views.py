"""Jobs' pages: the list, one job (progress, error, retry), a client's jobs, its status (the latest
status job's probes, tunnel actions), its tunnel logs, and the technicians' fleet actions.

Jobs are looked up through the scope (job_scope): another client's job id is a 404."""
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.scope import client_view, host_client, may_reach, may_use_backoffice, technician_view, user_view
from audit.models import Result
from audit.record import record
from clients.inventory import load
from jobs.forms import FLEET_FORMS, TunnelForm
from jobs.logs import read_site_logs
from jobs.models import Job, Kind, State
from jobs.queue import enqueue

# Seconds between two reloads of a page that shows a job not done yet.
REFRESH = 3


def job_scope(request):
    """The jobs this request may see: every job on the back-office, else the reachable client's."""
    if may_use_backoffice(request):
        return Job.objects.all()
    client = host_client(request) or getattr(request.user, "client", "")
    if client and may_reach(request, client):
        return Job.objects.filter(client=client)
    return Job.objects.none()


def inventory_client(client):
    found = load().client(client)
    if found is None:
        raise Http404
    return found


def site_names(found):
    return [site.get("name") for site in found.sites if isinstance(site, dict) and site.get("name")]


def queued(request, job, action, summary):
    """The audit entry of an action that queued a job; the worker sets its result when it ends."""
    record(request.user, action, summary, client=job.client, result=Result.QUEUED, commit=job.commit, job=job)


@technician_view
def job_list(request):
    jobs = Job.objects.select_related("created_by")[:200]
    return render(request, "jobs/list.html", {"jobs": jobs, "fleet_kinds": list(FLEET_FORMS)})


@user_view
def job_detail(request, pk):
    job = get_object_or_404(job_scope(request).select_related("created_by", "retry_of"), pk=pk)
    return render(request, "jobs/detail.html", {"job": job, "refresh": None if job.done else REFRESH,
                                                "messages_shown": (job.result or {}).get("messages") or []})


@user_view
@require_POST
def job_retry(request, pk):
    """A failed job again: the same playbook, variables and commit."""
    job = get_object_or_404(job_scope(request), pk=pk, state=State.FAILED)
    extravars = {key: value for key, value in (job.extravars or {}).items() if key != "client"}
    again = enqueue(job.kind, job.client, request.user, commit=job.commit, extravars=extravars, retry_of=job)
    queued(request, again, "job.retry", f"#{again.pk} {again.playbook}: retry of #{job.pk}")
    return redirect("jobs:detail", pk=again.pk)


@client_view
def client_jobs(request, client):
    inventory_client(client)
    jobs = Job.objects.filter(client=client).select_related("created_by")[:100]
    return render(request, "jobs/client_jobs.html", {"client": client, "jobs": jobs})


@client_view
@require_POST
def tunnel(request, client):
    found = inventory_client(client)
    form = TunnelForm(request.POST, sites=site_names(found))
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(request, f"{field}: {error}")
        return redirect("jobs:status", client=client)
    action, site = form.cleaned_data["action"], form.cleaned_data["site"]
    extravars = {"tunnel_action": action, **({"site": site} if site else {})}
    job = enqueue(Kind.TUNNEL, client, request.user, extravars=extravars)
    queued(request, job, f"tunnel.{action}", f"#{job.pk} tunnel.yml -e client={client} -e tunnel_action={action}"
           + (f" -e site={site}" if site else ""))
    return redirect("jobs:detail", pk=job.pk)


def status_rows(sites, report):
    """Per inventory site (in its order), what the report says of it and of its printers;
    a site or printer the report does not know (added since) shows as unknown."""
    probed = {site.get("site"): site for site in (report or {}).get("sites") or []}
    rows = []
    for site in sites:
        name = site.get("name")
        seen = probed.get(name) or {}
        printers_seen = {p.get("name"): p for p in seen.get("printers") or []}
        rows.append({
            "name": name, "host": site.get("host"), "state": seen.get("state") or "unknown",
            "since": seen.get("since"), "last_error": seen.get("last_error"),
            "tcp": seen.get("tcp") or {"state": "unknown"}, "ping": seen.get("ping") or {"state": "unknown"},
            "printers": [{"name": p.get("name"), "listen_port": p.get("listen_port"),
                          "state": (printers_seen.get(p.get("name")) or {}).get("state") or "unknown",
                          "error": (printers_seen.get(p.get("name")) or {}).get("error")}
                         for p in site.get("printers") or [] if isinstance(p, dict)],
        })
    return rows


@client_view
def status(request, client):
    """GET: the latest status job's probes. POST: queue a new status job and show its page."""
    found = inventory_client(client)
    if request.method == "POST":
        # One waiting status job is enough: a second click while it waits shows that one.
        job = Job.objects.filter(client=client, kind=Kind.STATUS, state=State.QUEUED).first()
        if job is None:
            job = enqueue(Kind.STATUS, client, request.user)
            queued(request, job, "status", f"#{job.pk} status.yml -e client={client}")
        return redirect("jobs:detail", pk=job.pk)
    jobs = Job.objects.filter(client=client, kind=Kind.STATUS)
    latest = jobs.first()
    shown = jobs.filter(state=State.SUCCEEDED).first()
    report = None
    if shown is not None:
        report = next((c for c in (shown.result or {}).get("clients") or [] if c.get("client") == client), None)
    return render(request, "jobs/status.html", {
        "client": client, "latest": latest, "shown": shown, "report": report,
        "sites": status_rows([s for s in found.sites if isinstance(s, dict)], report),
        "refresh": REFRESH if latest is not None and not latest.done else None,
    })


@client_view
def logs(request, client):
    found = inventory_client(client)
    names = site_names(found)
    read = read_site_logs(client, found.docker_host, names) if names else {}
    return render(request, "jobs/logs.html", {"client": client, "logs": [(name, read.get(name)) for name in names]})


@technician_view
def fleet(request, kind):
    """A job over every client: upgrade (upgrade.yml), drift (drift.yml), converge (site.yml)."""
    if kind not in FLEET_FORMS:
        raise Http404
    form_class = FLEET_FORMS[kind]
    options = {"known": load().names()} if kind == Kind.UPGRADE else {}
    form = form_class(request.POST if request.method == "POST" else None, **options)
    if request.method == "POST" and form.is_valid():
        job = enqueue(Kind(kind), "", request.user, extravars=form.extravars())
        queued(request, job, f"fleet.{kind}", f"#{job.pk} {job.playbook}"
               + "".join(f" -e {key}={value}" for key, value in job.extravars.items()))
        return redirect("jobs:detail", pk=job.pk)
    titles = {"upgrade": _("Upgrade the clients' containers"), "drift": _("Drift report"),
              "converge": _("Converge every client")}
    return render(request, "jobs/fleet.html", {"form": form, "kind": kind, "title": titles[kind]})
