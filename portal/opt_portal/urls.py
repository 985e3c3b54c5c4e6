"""URL conf: one include per app. accounts/tests/test_scope_walk.py walks every pattern as every
role; every view carries one of accounts/scope.py's markers (there is no Django admin: one
permission layer)."""
from django.urls import include, path

from accounts.views import home, set_language

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("clients/", include("clients.urls")),
    path("jobs/", include("jobs.urls")),
    path("audit/", include("audit.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
]
