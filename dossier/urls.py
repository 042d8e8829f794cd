from django.urls import path

from . import views

urlpatterns = [
    path("deals/<int:pk>/dossier/", views.deal_dossier, name="deal_dossier"),
    path("deals/<int:pk>/dossier/download/", views.dossier_download, name="dossier_download"),
]
