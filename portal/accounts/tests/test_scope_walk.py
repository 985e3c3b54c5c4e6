"""The scope walk: every URL pattern of every app (generated from the URL conf, so a view added
later is walked too), as every role, with URL arguments naming the user's own client, another
client and a client that does not exist, and guessed ids of other clients' objects.

- A view without a scope marker (accounts/scope.py: SCOPE_ATTR) fails the walk.
- A URL argument the KWARGS table below does not know fails the walk: add it to the table.
- Expected: anonymous is sent to the login page (public views excepted); another client's URL is
  404; back-office URLs are 404 for client administrators and on a client's host; what the role
  may reach answers neither 404 nor 403 nor the login page: that is the positive control that
  makes each 404 mean "refused", not "broken". A server error is a failure wherever the request
  should have been stopped; on an allowed probe (an empty form, no lab here) it is the view's own
  business, tested by its owner: the walk proves the scope, not the view.
- GET, and POST where the view takes POST (it does unless the allowed probes all answer 405).
  Allowed POSTs run with an empty body inside a rolled-back transaction; the inventory copy is put
  back after each. Refused requests must change neither the database nor the inventory.
"""
from django.db import transaction
from django.test import Client, TestCase, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.models import Role, User
from accounts.scope import SCOPE_ATTR
from accounts.tests.helpers import BACKOFFICE, InventoryMixin, git, make_users
from audit.models import Entry
from jobs.models import Job, Kind, State

LOGIN = "/accounts/login/"
SCOPES = ("public", "user", "client", "technician")
# What a URL's arguments may aim at: two of the lab inventory's clients, one nobody has, and
# "every" (objects of no one client: a job over every client, a back-office audit entry, a
# technician), which only the back-office may reach.
TARGETS = ("acme", "globex", "nosuch", "every")
MISSING_ID = 987654321

# URL argument -> its value for each target. Keys "<namespace>:<argument>" win over
# "<argument>"; a value is a dict {target: value}, or a function (fixtures, target) -> value; a
# target without a value (missing, or None) is not tried for the pattern. An argument marked
# UNBOUND names no client (the same value is used once, whatever the target).
UNBOUND = object()
KWARGS = {
    "client": lambda f, t: None if t == "every" else t,
    "site": {"acme": "lyon", "globex": "lyon", "nosuch": "lyon"},
    "printer": {"acme": "accueil", "globex": "reception", "nosuch": "accueil"},
    "jobs:pk": lambda f, t: f.jobs[t],
    "accounts:pk": lambda f, t: f.people[t],
    "audit:pk": lambda f, t: f.entries[t],
    "uidb64": (UNBOUND, "MQ"),
    "token": (UNBOUND, "bad-token"),
    "kind": (UNBOUND, "upgrade"),
}

# role -> (user key or None, host, extra headers, clients it may reach, back-office?)
ROLES = {
    "anonymous": (None, BACKOFFICE, {}, set(), False),
    "acme admin": ("acme", BACKOFFICE, {}, {"acme"}, False),
    "globex admin": ("globex", BACKOFFICE, {}, {"globex"}, False),
    "technician": ("tech", BACKOFFICE, {}, {"acme", "globex"}, True),
    "technician via acme": ("tech", "acme.coaxis.test", {"HTTP_X_OPT_CLIENT": "acme"}, {"acme"}, False),
}


def walk(resolver=None, namespace="", kwargs=()):
    """(full name, kwarg names, callback, route) of every pattern, recursively."""
    resolver = resolver or get_resolver()
    for item in resolver.url_patterns:
        names = tuple(kwargs) + _kwarg_names(item.pattern)
        if isinstance(item, URLResolver):
            inner = namespace
            if item.namespace:
                inner = f"{namespace}:{item.namespace}" if namespace else item.namespace
            yield from walk(item, inner, names)
        elif isinstance(item, URLPattern):
            full = f"{namespace}:{item.name}" if namespace and item.name else item.name
            yield full, names, item.callback, str(item.pattern)


def _kwarg_names(pattern):
    converters = getattr(pattern, "converters", None)
    if converters is not None and hasattr(pattern, "_route"):
        return tuple(converters)
    return tuple(pattern.regex.groupindex)


def _spec(name, argument):
    namespace = name.split(":")[0] if ":" in name else ""
    return KWARGS.get(f"{namespace}:{argument}", KWARGS.get(argument))


class Fixtures:
    """Objects of each client that a guessed id may name."""

    def __init__(self, users):
        # Failed jobs: every job page applies to them (a retry needs a failed job).
        self.jobs = {"nosuch": MISSING_ID, "every": Job.objects.create(
            kind=Kind.UPGRADE, client="", playbook="upgrade.yml", state=State.FAILED).pk}
        self.entries = {"nosuch": MISSING_ID,
                        "every": Entry.objects.create(action="test", summary="back-office", client="").pk}
        self.people = {"nosuch": MISSING_ID,
                       "every": User.objects.create_technician("second@coaxis.test", None).pk}
        for client in ("acme", "globex"):
            self.jobs[client] = Job.objects.create(kind=Kind.APPLY, client=client, playbook="add_client.yml",
                                                   state=State.FAILED).pk
            self.entries[client] = Entry.objects.create(action="test", summary=client, client=client).pk
            self.people[client] = User.objects.create_user(f"second@{client}.test", None, role=Role.CLIENT_ADMIN,
                                                           client=client).pk


@override_settings(PORTAL_LOGIN_ATTEMPTS=10000, PORTAL_VAULT_ID="lab")
class ScopeWalkTests(InventoryMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.users = make_users()
        cls.fixtures = Fixtures(cls.users)

    def setUp(self):
        self.base = git(self.inventory, "rev-parse", "HEAD")
        # The lab inventory's own (public) vault password, so pages that read a vaulted key can.
        vault = override_settings(PORTAL_VAULT_PASSWORD_FILE=str(self.inventory / "vault-password.txt"))
        vault.enable()
        self.addCleanup(vault.disable)

    def test_every_view_has_a_scope(self):
        unmarked = [f"{name or '(unnamed)'} {route}" for name, _, callback, route in walk()
                    if getattr(callback, SCOPE_ATTR, None) not in SCOPES]
        self.assertEqual(unmarked, [], "views without public_view/user_view/client_view/technician_view")
        unnamed = [route for name, _, _, route in walk() if not name]
        self.assertEqual(unnamed, [], "URL patterns without a name cannot be walked")
        # A client view finds its client in the URL's "client" argument (without it, always 404).
        clientless = [name for name, arguments, callback, _ in walk()
                      if getattr(callback, SCOPE_ATTR, None) == "client" and "client" not in arguments]
        self.assertEqual(clientless, [], "client_view without a <client> URL argument")

    def test_every_url_argument_is_in_the_table(self):
        unknown = sorted({f"{name}: {argument}" for name, arguments, _, _ in walk() for argument in arguments
                          if _spec(name, argument) is None})
        self.assertEqual(unknown, [], "URL arguments missing from KWARGS in test_scope_walk.py")

    def test_the_walk_catches_an_unmarked_view_and_an_unknown_argument(self):
        with override_settings(ROOT_URLCONF="accounts.tests.urls_walk_probe"):
            unmarked = [name for name, _, callback, _ in walk() if getattr(callback, SCOPE_ATTR, None) not in SCOPES]
            unknown = [f"{name}: {argument}" for name, arguments, _, _ in walk() for argument in arguments
                       if _spec(name, argument) is None]
            names = {name for name, _, _, _ in walk()}
        self.assertEqual(unmarked, ["probe:unmarked"])
        self.assertEqual(unknown, ["probe:widget: widget"])
        # Included patterns are walked with their namespace, and the real ones are still there.
        self.assertIn("probe:nested", names)
        self.assertIn("accounts:login", names)

    def test_the_walk_covers_the_contract(self):
        names = {name for name, _, _, _ in walk()}
        for name in ("accounts:login", "accounts:logout", "accounts:users", "accounts:user_create",
                     "accounts:user_reset", "accounts:reset_confirm", "audit:list", "audit:client",
                     "clients:list", "clients:detail", "jobs:list", "set_language", "home"):
            self.assertIn(name, names)

    # --- the walk ------------------------------------------------------------------------
    def urls(self, name, arguments):
        """[(target or None, url)] for the pattern: one per target when an argument names a client."""
        bound = [a for a in arguments if not (isinstance(_spec(name, a), tuple) and _spec(name, a)[0] is UNBOUND)]
        targets = TARGETS if bound else (None,)
        urls = []
        for target in targets:
            values = {}
            for argument in arguments:
                spec = _spec(name, argument)
                if isinstance(spec, tuple):
                    values[argument] = spec[1]
                elif callable(spec):
                    values[argument] = spec(self.fixtures, target)
                else:
                    values[argument] = spec.get(target)
            if all(value is not None for value in values.values()):
                urls.append((target, reverse(name, kwargs=values)))
        return urls

    def probe(self, role, method, url):
        user_key, host, headers, _, _ = ROLES[role]
        client = Client(raise_request_exception=False)
        if user_key:
            client.force_login(self.users[user_key])
        with transaction.atomic():
            response = getattr(client, method)(url, HTTP_HOST=host, **headers)
            transaction.set_rollback(True)
        if git(self.inventory, "status", "--porcelain") or git(self.inventory, "rev-parse", "HEAD") != self.base:
            git(self.inventory, "reset", "-q", "--hard", self.base)
            git(self.inventory, "clean", "-qfdx")
            return response, True
        return response, False

    @staticmethod
    def expected(scope, role, target):
        """'any' (public), 'login', 'allowed' or 'refused' (404)."""
        _, _, _, reachable, backoffice = ROLES[role]
        if scope == "public":
            return "any"
        if role == "anonymous":
            return "login"
        if scope == "technician":
            return "allowed" if backoffice and target != "nosuch" else "refused"
        if target is None:
            return "allowed"
        if target == "every":
            return "allowed" if backoffice else "refused"
        return "allowed" if target in reachable else "refused"

    def test_walk(self):
        failures, probes = [], 0
        for name, arguments, callback, _ in walk():
            scope = getattr(callback, SCOPE_ATTR, None)
            if scope not in SCOPES or any(_spec(name, a) is None for a in arguments):
                continue  # reported by the two tests above
            urls = self.urls(name, arguments)
            for method in ("get", "post"):
                results = []
                for role in ROLES:
                    for target, url in urls:
                        response, changed = self.probe(role, method, url)
                        probes += 1
                        results.append((role, target, url, self.expected(scope, role, target), response, changed))
                allowed = [r for r in results if r[3] == "allowed"]
                # The view takes this method unless every allowed probe says 405.
                takes = not allowed or any(r[4].status_code != 405 for r in allowed)
                for role, target, url, expected, response, changed in results:
                    problem = self.check(expected, response, takes, changed)
                    if problem:
                        failures.append(f"{method.upper()} {url} [{name}, {scope}] as {role} (target {target}): "
                                        f"expected {expected}, {problem}")
        self.assertGreater(probes, 100)
        self.assertEqual(failures, [], "\n" + "\n".join(failures))

    @staticmethod
    def check(expected, response, takes, changed):
        status = response.status_code
        location = response.get("Location", "")
        if expected == "any":
            return None if status < 500 else f"got {status}"
        if not takes and status == 405:
            return None
        if expected == "login":
            if changed:
                return "the inventory changed"
            return None if status == 302 and location.startswith(LOGIN) else f"got {status} {location}"
        if expected == "refused":
            if changed:
                return "the inventory changed"
            return None if status == 404 else f"got {status} {location}"
        if status in (403, 404) or (status == 302 and location.startswith(LOGIN)):
            return f"got {status} {location}"
        return None
