from django.urls import path

from clients import views

app_name = "clients"
urlpatterns = [
    path("", views.client_list, name="list"),
    path("create/", views.client_create, name="create"),
    path("<slug:client>/", views.client_detail, name="detail"),
    path("<slug:client>/remove/", views.client_remove, name="remove"),
    path("<slug:client>/key/", views.client_key, name="key"),
    path("<slug:client>/apply/", views.client_apply, name="apply"),
    path("<slug:client>/forget/", views.client_forget, name="forget"),
    path("<slug:client>/sites/add/", views.site_add, name="site_add"),
    path("<slug:client>/sites/<slug:site>/", views.site_edit, name="site_edit"),
    path("<slug:client>/sites/<slug:site>/remove/", views.site_remove, name="site_remove"),
    path("<slug:client>/sites/<slug:site>/hostkey/", views.site_hostkey, name="site_hostkey"),
    path("<slug:client>/sites/<slug:site>/printers/add/", views.printer_add, name="printer_add"),
    path("<slug:client>/sites/<slug:site>/printers/<slug:printer>/", views.printer_edit, name="printer_edit"),
    path("<slug:client>/sites/<slug:site>/printers/<slug:printer>/remove/", views.printer_remove,
         name="printer_remove"),
]
