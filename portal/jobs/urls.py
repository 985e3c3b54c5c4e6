from django.urls import path

from jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/retry/", views.job_retry, name="retry"),
    path("fleet/<str:kind>/", views.fleet, name="fleet"),
    path("client/<slug:client>/", views.client_jobs, name="client_jobs"),
    path("client/<slug:client>/tunnel/", views.tunnel, name="tunnel"),
    path("client/<slug:client>/status/", views.status, name="status"),
    path("client/<slug:client>/logs/", views.logs, name="logs"),
]
