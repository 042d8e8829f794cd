from django.contrib.auth import views as auth_views
from django.urls import path

from . import email_views, views
from .forms import QueuedPasswordResetForm

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("home/", views.home, name="home"),
    path(
        "accounts/password/change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(form_class=QueuedPasswordResetForm),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("reviews/", views.review_inbox, name="review_inbox"),
    path("reviews/export.csv", views.review_inbox_export, name="review_inbox_export"),
    path("reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("reviews/<int:pk>/verdict/", views.review_verdict_view, name="review_verdict"),
    path("reviews/<int:pk>/reassign/", views.review_reassign_view, name="review_reassign"),
    path("reviews/<int:pk>/comment/", views.review_comment_view, name="review_comment"),
    path(
        "reviews/by-email/<str:signed>/",
        email_views.email_decision_view,
        name="review_email_decision",
    ),
    path("deals/<int:pk>/concerns/new/", views.concern_create, name="concern_create"),
    path("concerns/<int:pk>/", views.concern_detail, name="concern_detail"),
    path("concerns/<int:pk>/reply/", views.concern_reply_view, name="concern_reply"),
    path("concerns/<int:pk>/resolve/", views.concern_resolve_view, name="concern_resolve"),
    path("deals/<int:pk>/sessions/new/", views.session_create, name="session_create"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/invite.ics", views.session_ics, name="session_ics"),
    path("sessions/<int:pk>/reschedule/", views.session_reschedule_view, name="session_reschedule"),
    path("sessions/<int:pk>/cancel/", views.session_cancel_view, name="session_cancel"),
]
