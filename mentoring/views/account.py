"""Signing in: Django's LoginView plus the chosen session lifetime."""

from django.contrib.auth import views as auth_views

from ..forms import EmailAuthenticationForm
from ..session_policy import session_lifetime_apply


class SignInView(auth_views.LoginView):
    """Email and password; "Keep me signed in" / "This is a shared device"
    decide how long the session lasts (mentoring.session_policy)."""

    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        session_lifetime_apply(
            request=self.request,
            keep_signed_in=form.cleaned_data["keep_signed_in"],
            shared_device=form.cleaned_data["shared_device"],
        )
        return response
