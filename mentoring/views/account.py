"""Signing in: Django's LoginView plus the chosen session lifetime; the language switch."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from ..forms import EmailAuthenticationForm
from ..services import user_language_set
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


@require_POST
def language_set(request):
    """The language switch (templates/includes/language_switch.html): POST
    ``language`` (a code of settings.LANGUAGES) and ``next`` (a path on this
    site). Django's ``set_language`` stores the choice in the language cookie
    and redirects to ``next`` (the start page when ``next`` is missing or
    points elsewhere); a signed-in person's choice is also saved as
    ``User.language``, so their pages, emails and texts follow it on every
    device. An unknown code changes nothing and still redirects."""
    response = set_language(request)
    code = request.POST.get("language", "")
    if request.user.is_authenticated and code in dict(settings.LANGUAGES):
        user_language_set(user=request.user, language=code)
    return response
