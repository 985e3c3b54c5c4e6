"""The clients app's pages: thin. Fetch from the inventory, check through accounts/scope.py, validate
with the forms (the collection's validators), change through clients/changes.py (whole-inventory
check, commit), then an audit entry and a queued apply job."""
from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from accounts.scope import client_view, technician_view
from audit.models import Result
from audit.record import record
from clients import changes, engines, keys, loading, yamledit
from clients.forms import ClientCreateForm, PrinterForm, RemoveForm, SiteForm, lang
from clients.inventory import CLIENT_GROUP, DOCKER_HOST_GROUP, load
from jobs.models import Kind
from jobs.queue import enqueue

HOSTS_FILES = ("hosts.yml", "hosts.yaml")
PENDING = "clients.pending_site"
SCANNED = "clients.scanned_key"


# --- helpers ---------------------------------------------------------------------------------

def _client_or_404(name):
    found = load().client(name)
    if found is None:
        raise Http404
    return found


def _site_or_404(client, name):
    for site in client.sites:
        if isinstance(site, dict) and site.get("name") == name:
            return site
    raise Http404


def _printer_or_404(site, name):
    for printer in site.get("printers") or []:
        if isinstance(printer, dict) and printer.get("name") == name:
            return printer
    raise Http404


def main_file(client):
    return "host_vars/%s/main.yml" % client


def _edit_main(client, operation):
    """An edit of host_vars/<client>/main.yml: operation(document) on its round-trip document."""
    rel = main_file(client)

    def edit(read):
        doc = yamledit.load(read(rel) or "---\n")
        operation(doc)
        return {rel: doc.dump()}
    return edit


def job_url(job, client):
    try:
        return reverse("jobs:detail", kwargs={"pk": job.pk})
    except NoReverseMatch:
        return reverse("clients:detail", kwargs={"client": client})


def _queue_apply(request, client, action, summary, commit="", diff=""):
    job = enqueue(Kind.APPLY, client, request.user, commit=commit)
    record(request.user, action, summary, client=client, diff=diff, result=Result.QUEUED, commit=commit, job=job)
    return redirect(job_url(job, client))


def _warn_others(request, warnings):
    if not warnings:
        return
    if request.user.is_technician:
        messages.warning(request, _("Other clients of the inventory have errors; every apply is refused until "
                                    "they are fixed: %(errors)s") % {"errors": "; ".join(warnings)})
    else:
        messages.warning(request, _("Other clients of the inventory have errors: your change is saved, and it is "
                                    "applied once Coaxis has fixed them."))


def commit_and_apply(request, form, client, message, edit, action):
    """Change the inventory, then audit and queue the apply; on refusal, the form carries the errors
    and None is returned (an audit entry with result "refused" records the attempt)."""
    try:
        committed = changes.apply_change(client, request.user, message, edit, lang())
    except changes.Refused as refused:
        for error in refused.errors:
            form.add_error(None, error)
        record(request.user, action, message, client=client, diff="\n".join(refused.errors), result=Result.REFUSED)
        return None
    except changes.Busy:
        form.add_error(None, _("Another change of the inventory is under way; try again in a minute."))
        return None
    except changes.GitError as exc:
        form.add_error(None, _("The inventory's git repository refused the change: %(error)s") % {"error": exc})
        return None
    except yamledit.NotFound:
        raise Http404
    if committed is None:
        messages.info(request, _("Nothing to change."))
        return redirect("clients:detail", client=client)
    _warn_others(request, committed.warnings)
    if committed.push_error:
        messages.warning(request, _("Committed, but the push failed: %(error)s") % {"error": committed.push_error})
    return _queue_apply(request, client, action, message, commit=committed.sha, diff=committed.diff)


# --- the client list and page -----------------------------------------------------------------

@technician_view
def client_list(request):
    inventory = load()
    clients = [inventory.client(n) for n in inventory.names()]
    states = engines.fleet_states(loading.load(inventory.root), clients, lang())
    rows = [{"client": c, **states.get(c.name, {"state": "unknown", "id": "", "ip": "", "error": ""})} for c in clients]
    return render(request, "clients/list.html", {"rows": rows})


def _public_key(name):
    from clients.checks import plain
    loaded = loading.load(load().root)
    try:
        private = plain(loaded.host(name).get("opt_private_key"))
    except Exception:  # noqa: BLE001 -- an undecryptable vault: no key shown, the page still renders
        return None
    return keys.public_key(private, "opt-%s" % name) if private else None


@client_view
def client_detail(request, client):
    found = _client_or_404(client)
    state = engines.fleet_states(loading.load(load().root), [found], lang())[client]
    return render(request, "clients/detail.html", {"client": found, "state": state,
                                                   "public_key": _public_key(client)})


@client_view
def client_key(request, client):
    _client_or_404(client)
    return render(request, "clients/key.html", {"client": client, "public_key": _public_key(client)})


# --- create and remove a client (technicians) ---------------------------------------------------

def _hosts_file(root):
    for name in HOSTS_FILES:
        if (root / name).is_file():
            return name
    return HOSTS_FILES[0]


def allocate_ip(name, docker_host):
    """The lowest free address of the Docker host's network for a new client (the collection's
    allocator, over the inventory's clients and reserved addresses), or (None, errors)."""
    from ansible_collections.coaxis.opt.plugins.module_utils import _ipplan
    from clients.checks import plain
    inventory = load()
    loaded = loading.load(inventory.root)
    host_vars = loaded.host(docker_host)
    network = {k: plain(v) for k, v in dict(host_vars.get("opt_network") or {}).items()}
    network.setdefault("name", "network")
    reserved = [plain(r) for r in host_vars.get("opt_reserved_ips") or []]
    problems = _ipplan.validate_network(network, lang(), reserved=reserved)
    if problems:
        return None, problems
    network["gateway"] = network.get("gateway") or _ipplan.default_gateway(network["subnet"])
    specs = [{"name": c.name, "ip": c.ip or None} for c in inventory.clients.values() if c.docker_host == docker_host]
    specs.append({"name": name, "ip": None})
    plan = _ipplan.plan_addresses(network, specs, (), lang(), reserved=reserved)
    given = {a["client"]: a["ip"] for a in plan["allocated"]}
    if name not in given:
        return None, plan["errors"]
    return given[name], []


@technician_view
def client_create(request):
    inventory = load()
    loaded = loading.load(inventory.root)
    docker_hosts = list(loaded.groups.get(DOCKER_HOST_GROUP) or [])
    taken = {str(h) for h in loaded.manager.hosts}
    form = ClientCreateForm(request.POST or None, docker_hosts=docker_hosts, taken=taken)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        name, ip = data["name"], data["ip"]
        if not ip:
            ip, problems = allocate_ip(name, data["docker_host"])
            for problem in problems:
                form.add_error("ip", problem)
        if ip:
            try:
                private, public = keys.new_key("opt-%s" % name)
                vault_text = keys.vault_file(private)
            except keys.VaultError as exc:
                form.add_error(None, str(exc))
            else:
                hosts_rel = _hosts_file(inventory.root)

                def edit(read):
                    hosts = yamledit.load(read(hosts_rel) or "all:\n  children: {}\n")
                    yamledit.add_host_to_group(hosts, CLIENT_GROUP, name)
                    main = yamledit.load("---\n")
                    main.data["opt_docker_host"] = data["docker_host"]
                    main.data["opt_ip"] = ip
                    main.data["opt_subdomain"] = data["subdomain"]
                    main.data["opt_private_key"] = DoubleQuotedScalarString("{{ vault_opt_private_key }}")
                    main.data["opt_sites"] = []
                    return {hosts_rel: hosts.dump(), main_file(name): main.dump(),
                            "host_vars/%s/vault.yml" % name: vault_text}
                response = commit_and_apply(request, form, name, "portal: %s: create client" % name, edit,
                                            "client_create")
                if response is not None:
                    messages.success(request, _("Client %(name)s created; its public key: %(key)s")
                                     % {"name": name, "key": public})
                    return response
    return render(request, "clients/create.html", {"form": form})


@technician_view
def client_remove(request, client):
    _client_or_404(client)
    form = RemoveForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        purge = form.cleaned_data["purge"]
        if purge and request.POST.get("confirm") != "purge":
            return render(request, "clients/remove_confirm.html", {"client": client})
        job = enqueue(Kind.REMOVE, client, request.user, extravars={"purge": bool(purge)})
        summary = ("portal: %s: remove client, purge its data" if purge else "portal: %s: remove client") % client
        record(request.user, "client_remove", summary, client=client, result=Result.QUEUED, job=job)
        return redirect(job_url(job, client))
    return render(request, "clients/remove.html", {"client": client, "form": form})


@technician_view
@require_POST
def client_forget(request, client):
    """Take a removed client out of the inventory (its container must be gone: remove it first),
    or the next converge would bring it back. Its data volumes stay unless the removal purged them."""
    from clients import lifecycle
    found = _client_or_404(client)
    state = engines.fleet_states(loading.load(load().root), [found], lang())[client]
    if state["state"] != "absent":
        messages.error(request, _("%(client)s still has a container (%(state)s): remove it first.")
                       % {"client": client, "state": state["state"]})
        return redirect("clients:detail", client=client)
    try:
        committed = lifecycle.forget_client(client, request.user, lang())
    except (changes.Refused, changes.Busy, changes.GitError) as exc:
        messages.error(request, "; ".join(getattr(exc, "errors", None) or [str(exc)]))
        return redirect("clients:detail", client=client)
    record(request.user, "client_forget", "portal: %s: forget client" % client, client=client,
           diff=committed.diff if committed else "", commit=committed.sha if committed else "")
    messages.success(request, _("%(client)s is no longer in the inventory.") % {"client": client})
    return redirect("clients:list")


@client_view
@require_POST
def client_apply(request, client):
    _client_or_404(client)
    return _queue_apply(request, client, "apply", "portal: %s: apply" % client)


# --- sites ----------------------------------------------------------------------------------

def _pending(request, client):
    return (request.session.get(PENDING) or {}).get(client) or {}


def _set_pending(request, client, site, values):
    pending = request.session.get(PENDING) or {}
    pending.setdefault(client, {})[site] = values
    request.session[PENDING] = pending


def _clear_pending(request, client, site):
    pending = request.session.get(PENDING) or {}
    pending.get(client, {}).pop(site, None)
    request.session[PENDING] = pending
    scanned = request.session.get(SCANNED) or {}
    scanned.pop("%s/%s" % (client, site), None)
    request.session[SCANNED] = scanned


@client_view
def site_add(request, client):
    found = _client_or_404(client)
    taken = [s.get("name") for s in found.sites if isinstance(s, dict)]
    form = SiteForm(request.POST or None, client=client, taken=taken)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        _set_pending(request, client, values["name"], dict(values, new=True))
        return redirect("clients:site_hostkey", client=client, site=values["name"])
    return render(request, "clients/site_form.html", {"client": client, "form": form, "site": None})


@client_view
def site_edit(request, client, site):
    found = _client_or_404(client)
    current = _site_or_404(found, site)
    taken = [s.get("name") for s in found.sites if isinstance(s, dict) and s.get("name") != site]
    initial = {k: current.get(k) for k in ("name", "host", "port", "user", "upload_kbps", "download_kbps")}
    initial["port"] = initial["port"] or 22
    initial["user"] = initial["user"] or "coaxis"
    form = SiteForm(request.POST or None, client=client, taken=taken, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        moved = values["host"] != current.get("host") or values["port"] != (current.get("port") or 22)
        if moved:  # another server: its host key is scanned and confirmed again
            _set_pending(request, client, site, dict(values, new=False))
            return redirect("clients:site_hostkey", client=client, site=site)
        response = commit_and_apply(request, form, client, "portal: %s: edit site %s" % (client, site),
                                    _edit_main(client, lambda doc: yamledit.edit_site(doc, site, values)),
                                    "site_edit")
        if response is not None:
            return response
    return render(request, "clients/site_form.html", {"client": client, "form": form, "site": site})


@client_view
def site_remove(request, client, site):
    found = _client_or_404(client)
    _site_or_404(found, site)
    form = RemoveForm()
    if request.method == "POST":
        response = commit_and_apply(request, form, client, "portal: %s: remove site %s" % (client, site),
                                    _edit_main(client, lambda doc: yamledit.remove_site(doc, site)), "site_remove")
        if response is not None:
            return response
    return render(request, "clients/confirm_remove.html", {"client": client, "form": form, "what": site,
                                                           "kind": "site"})


@client_view
def site_hostkey(request, client, site):
    """Scan the site's host key through the client's Docker host, show its fingerprint, pin it once
    confirmed (the key confirmed is the one scanned, kept in the session, never one posted back)."""
    found = _client_or_404(client)
    pending = _pending(request, client).get(site)
    current = None
    if pending is None:
        current = _site_or_404(found, site)
    target = pending or current
    host, port = target.get("host"), target.get("port") or 22
    form = RemoveForm()  # only its errors are used
    slot = "%s/%s" % (client, site)
    if request.method == "POST":
        key = (request.session.get(SCANNED) or {}).get(slot)
        if not key:
            return redirect("clients:site_hostkey", client=client, site=site)
        if pending and pending.get("new"):
            values = {k: v for k, v in pending.items() if k != "new"}
            values["host_key"] = key
            message = "portal: %s: add site %s" % (client, site)
            operation = lambda doc: yamledit.add_site(doc, values)  # noqa: E731
            action = "site_add"
        else:
            values = {k: v for k, v in (pending or {}).items() if k != "new"}
            values["host_key"] = key
            message = "portal: %s: pin host key of site %s" % (client, site)
            operation = lambda doc: yamledit.edit_site(doc, site, values)  # noqa: E731
            action = "site_hostkey"
        response = commit_and_apply(request, form, client, message, _edit_main(client, operation), action)
        if response is not None:
            _clear_pending(request, client, site)
            return response
        return render(request, "clients/hostkey.html", {"client": client, "site": site, "host": host, "port": port,
                                                        "key": key, "fingerprint": _fingerprint(key), "form": form})
    key, error = None, None
    try:
        loaded = loading.load(load().root)
        key = engines.scan_host_key(engines.engine_of(loaded, found.docker_host), host, port, lang())
    except engines.EngineError as exc:
        error = str(exc)
    scanned = request.session.get(SCANNED) or {}
    if key:
        scanned[slot] = key
    else:
        scanned.pop(slot, None)
    request.session[SCANNED] = scanned
    return render(request, "clients/hostkey.html", {
        "client": client, "site": site, "host": host, "port": port, "key": key, "error": error,
        "fingerprint": _fingerprint(key) if key else None, "pinned": (current or {}).get("host_key"),
        "pinned_fingerprint": _fingerprint((current or {}).get("host_key")), "form": form})


def _fingerprint(key):
    from ansible_collections.coaxis.opt.plugins.module_utils import _hostkey
    return _hostkey.fingerprint(key) if key else None


# --- printers -------------------------------------------------------------------------------

def next_listen_port(client):
    used = {p.get("listen_port") for s in client.sites if isinstance(s, dict) for p in (s.get("printers") or [])
            if isinstance(p, dict)}
    port = 9101
    while port in used and port < 65535:
        port += 1
    return port


@client_view
def printer_add(request, client, site):
    found = _client_or_404(client)
    current = _site_or_404(found, site)
    taken = [p.get("name") for p in current.get("printers") or [] if isinstance(p, dict)]
    form = PrinterForm(request.POST or None, client=client, site=site, taken=taken,
                       initial={"port": 9100, "listen_port": next_listen_port(found)})
    if request.method == "POST" and form.is_valid():
        values = form.values()
        response = commit_and_apply(
            request, form, client, "portal: %s: add printer %s to site %s" % (client, values["name"], site),
            _edit_main(client, lambda doc: yamledit.add_printer(doc, site, values)), "printer_add")
        if response is not None:
            return response
    return render(request, "clients/printer_form.html", {"client": client, "site": site, "form": form,
                                                         "printer": None})


@client_view
def printer_edit(request, client, site, printer):
    found = _client_or_404(client)
    current = _site_or_404(found, site)
    existing = _printer_or_404(current, printer)
    taken = [p.get("name") for p in current.get("printers") or [] if isinstance(p, dict) and p.get("name") != printer]
    initial = {k: existing.get(k) for k in ("name", "address", "port", "listen_port")}
    initial["port"] = initial["port"] or 9100
    form = PrinterForm(request.POST or None, client=client, site=site, taken=taken, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        response = commit_and_apply(
            request, form, client, "portal: %s: edit printer %s of site %s" % (client, printer, site),
            _edit_main(client, lambda doc: yamledit.edit_printer(doc, site, printer, values)), "printer_edit")
        if response is not None:
            return response
    return render(request, "clients/printer_form.html", {"client": client, "site": site, "form": form,
                                                         "printer": printer})


@client_view
def printer_remove(request, client, site, printer):
    found = _client_or_404(client)
    _printer_or_404(_site_or_404(found, site), printer)
    form = RemoveForm()
    if request.method == "POST":
        response = commit_and_apply(
            request, form, client, "portal: %s: remove printer %s of site %s" % (client, printer, site),
            _edit_main(client, lambda doc: yamledit.remove_printer(doc, site, printer)), "printer_remove")
        if response is not None:
            return response
    return render(request, "clients/confirm_remove.html", {"client": client, "form": form, "what": printer,
                                                           "kind": "printer", "site": site})
