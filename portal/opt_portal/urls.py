"""URL conf: one include per app. tests/test_scope_walk.py walks every pattern as every role."""
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import set_language

from accounts.views import home
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
    path("django-admin/", admin.site.urls),
]
