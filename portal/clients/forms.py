"""The forms of the clients app. Field errors are the collection's own messages (module_utils
validators and catalog, in the user's language); the whole-inventory check runs after them, in
clients/changes.py, and its refusals are shown as the form's non-field errors."""
from __future__ import annotations

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ansible_collections.coaxis.opt.plugins.module_utils import _ipplan, _proxyplan, _configplan, _siteschema
from ansible_collections.coaxis.opt.plugins.module_utils._messages import msg


def lang():
    code = (get_language() or "en")[:2]
    return code if code in ("en", "fr") else "en"


def _range(value, bounds):
    low, high = bounds
    return value is None or low <= value <= high


class SiteForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=32)
    host = forms.CharField(label=_("Host (name or IPv4 address)"), max_length=253)
    port = forms.IntegerField(label=_("SSH port"), initial=_siteschema.SITE_DEFAULTS["port"])
    user = forms.CharField(label=_("SSH user"), max_length=32, initial=_siteschema.SITE_DEFAULTS["user"])
    upload_kbps = forms.IntegerField(label=_("Upload limit (KiB/s, empty: none)"), required=False)
    download_kbps = forms.IntegerField(label=_("Download limit (KiB/s, empty: none)"), required=False)

    def __init__(self, *args, client, taken=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client
        self.taken = set(taken)  # the other sites' names

    def clean(self):
        data = super().clean()
        name = data.get("name")
        where = dict(client=self.client, site=name or "?")
        if name is not None:
            if not _configplan.valid_name(name):
                self.add_error("name", msg("cfg_site_name_invalid", lang(), **where))
            elif name in self.taken:
                self.add_error("name", msg("cfg_site_duplicate", lang(), count=2, **where))
        host = data.get("host")
        if host is not None and not _configplan.valid_host(host):
            self.add_error("host", msg("cfg_host_invalid", lang(), host=host, **where))
        port = data.get("port")
        if port is not None and not _range(port, _siteschema.SITE_INTS["port"]):
            low, high = _siteschema.SITE_INTS["port"]
            self.add_error("port", msg("cfg_site_range", lang(), field="port", value=port, low=low, high=high, **where))
        user = data.get("user")
        if user is not None and not _configplan.USER_RE.fullmatch(user):
            self.add_error("user", msg("cfg_user_invalid", lang(), user=user, **where))
        for field in _siteschema.NULLABLE_INTS:
            value = data.get(field)
            if not _range(value, _siteschema.SITE_INTS[field]):
                low, high = _siteschema.SITE_INTS[field]
                self.add_error(field, msg("cfg_limit_range", lang(), field=field, value=value, low=low, high=high,
                                          **where))
        return data

    def values(self):
        """The site's fields as the inventory carries them (None: no value)."""
        data = self.cleaned_data
        return {"name": data["name"], "host": data["host"], "port": data["port"], "user": data["user"],
                "upload_kbps": data.get("upload_kbps"), "download_kbps": data.get("download_kbps")}


class PrinterForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=32)
    address = forms.CharField(label=_("Address on the site's network"), max_length=253)
    port = forms.IntegerField(label=_("Printer port"), initial=_siteschema.PRINTER_DEFAULTS["port"])
    listen_port = forms.IntegerField(label=_("Listen port (on the client's address)"))

    def __init__(self, *args, client, site, taken=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.client, self.site = client, site
        self.taken = set(taken)  # the site's other printers

    def clean(self):
        data = super().clean()
        name = data.get("name")
        where = dict(client=self.client, site=self.site, printer=name or "?")
        if name is not None:
            if not _configplan.valid_name(name):
                self.add_error("name", msg("cfg_printer_name_invalid", lang(), **where))
            elif name in self.taken:
                self.add_error("name", msg("cfg_printer_duplicate", lang(), count=2, **where))
        address = data.get("address")
        if address is not None and not _configplan.valid_host(address):
            self.add_error("address", msg("cfg_printer_address_invalid", lang(), address=address, **where))
        for field, (low, high) in _siteschema.PRINTER_INTS.items():
            value = data.get(field)
            if value is not None and not low <= value <= high:
                self.add_error(field, msg("cfg_printer_range", lang(), field=field, value=value, low=low, high=high,
                                          **where))
        return data

    def values(self):
        data = self.cleaned_data
        return {"name": data["name"], "address": data["address"], "port": data["port"],
                "listen_port": data["listen_port"]}


# Words of the clients app's URLs that a client's name would shadow (/clients/create/).
RESERVED_NAMES = ("create",)


class ClientCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=32)
    docker_host = forms.ChoiceField(label=_("Docker host"))
    ip = forms.CharField(label=_("Address (empty: the lowest free one)"), required=False, max_length=15)
    subdomain = forms.CharField(label=_("Subdomain (empty: the name)"), required=False, max_length=63)

    def __init__(self, *args, docker_hosts=(), taken=(), **kwargs):
        super().__init__(*args, **kwargs)
        hosts = list(docker_hosts)
        self.fields["docker_host"].choices = [(h, h) for h in hosts]
        if len(hosts) == 1:
            self.fields["docker_host"].initial = hosts[0]
            self.fields["docker_host"].required = False
        self.hosts = hosts
        self.taken = set(taken)

    def clean(self):
        data = super().clean()
        name = data.get("name")
        if name is not None:
            if not _ipplan.valid_client_name(name):
                self.add_error("name", msg("client_name_invalid", lang(), client=name))
            elif name in self.taken:
                self.add_error("name", _("A host named %(name)s is already in the inventory.") % {"name": name})
            elif name in RESERVED_NAMES:
                self.add_error("name", _("%(name)s is a word of the admin interface's addresses: choose another name.")
                               % {"name": name})
        if not data.get("docker_host") and len(self.hosts) == 1:
            data["docker_host"] = self.hosts[0]
        ip = (data.get("ip") or "").strip()
        data["ip"] = ip
        if ip and _ipplan.parse_ipv4(ip) is None:
            self.add_error("ip", msg("ip_invalid", lang(), client=name or "?", ip=ip))
        subdomain = (data.get("subdomain") or "").strip() or name
        data["subdomain"] = subdomain
        if subdomain and not _proxyplan.LABEL_RE.fullmatch(subdomain):
            self.add_error("subdomain", msg("proxy_subdomain_invalid", lang(), client=name, subdomain=subdomain))
        return data


class RemoveForm(forms.Form):
    purge = forms.BooleanField(label=_("Also delete the client's data (configuration and logs volumes)"),
                               required=False)
