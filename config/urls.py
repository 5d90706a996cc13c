from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from mentoring.forms import FirstPasswordResetForm
from mentoring.views.account import SignInView

# Django's own account views keep their un-namespaced names ("login",
# "password_reset_done", ...), which they reverse internally.
account_patterns = [
    path("login/", SignInView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            form_class=FirstPasswordResetForm,
            subject_template_name="emails/password_reset_subject.txt",
            email_template_name="emails/password_reset.txt",
            html_email_template_name="emails/password_reset.html",
        ),
        name="password_reset",
    ),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password/reset/complete/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]

urlpatterns = [
    path("", include("mentoring.urls")),
    path("accounts/", include(account_patterns)),
    path("", include("programs.urls")),
    path("", include("sessions.urls")),
    path("", include("goals.urls")),
    path("", include("resources.urls")),
    path("", include("conversations.urls")),
    path("admin/", admin.site.urls),
]
