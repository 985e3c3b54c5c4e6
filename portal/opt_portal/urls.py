"""URL conf: one include per app. accounts/tests/test_scope_walk.py walks every pattern as every
role; every view carries one of accounts/scope.py's markers (there is no Django admin: one
permission layer)."""
from django.urls import include, path, re_path

from accounts.views import home, set_language
from opt_portal.health import healthz

urlpatterns = [
    path("", home, name="home"),
    # /healthz/ too: a client's nginx answers its own /healthz (the container's), and passes /healthz/ on.
    re_path(r"^healthz/?$", healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("clients/", include("clients.urls")),
    path("jobs/", include("jobs.urls")),
    path("audit/", include("audit.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
]
