from django.urls import path

from . import views

urlpatterns = [
    path("settings/webhooks/", views.endpoint_list, name="webhook_list"),
    path("settings/webhooks/<int:pk>/", views.endpoint_detail, name="webhook_detail"),
    path(
        "settings/webhooks/<int:pk>/disable/",
        views.endpoint_disable_view,
        name="webhook_disable",
    ),
    path(
        "settings/webhooks/deliveries/<int:pk>/redeliver/",
        views.delivery_redeliver_view,
        name="webhook_redeliver",
    ),
]
