from django.urls import path

from .views import applications, intake, public, readiness, setup, stories

app_name = "programs"

urlpatterns = [
    # Public application pages (no sign-in).
    path("apply/thanks/", applications.apply_thanks, name="apply_thanks"),
    path("apply/<str:kind>/", applications.apply, name="apply"),
    # The public program page and its published stories (no sign-in).
    path("p/<slug:slug>/", public.program_page, name="public_page"),
    path("p/<slug:slug>/stories/<int:pk>/", public.story_page, name="public_story"),
    # Success stories: the author's and the coordinators' pages.
    path("stories/", stories.my_stories, name="my_stories"),
    path("stories/new/", stories.story_new, name="story_new"),
    path("stories/<int:pk>/", stories.story_detail, name="story_detail"),
    path("stories/<int:pk>/edit/", stories.story_edit, name="story_edit"),
    path("stories/<int:pk>/send/", stories.story_submit_view, name="story_submit"),
    path("stories/<int:pk>/consent/", stories.story_consent, name="story_consent"),
    path("stories/<int:pk>/withdraw/", stories.story_withdraw, name="story_withdraw"),
    path("stories/<int:pk>/delete/", stories.story_delete_view, name="story_delete"),
    path("stories/<int:pk>/ask/", stories.story_ask, name="story_ask"),
    path("stories/<int:pk>/publish/", stories.story_publish_view, name="story_publish"),
    path("stories/<int:pk>/unpublish/", stories.story_unpublish_view, name="story_unpublish"),
    # Coordinators: programs and their setup.
    path("programs/", setup.program_list, name="list"),
    path("programs/new/", setup.program_new, name="new"),
    path("programs/<int:pk>/", setup.program_detail, name="detail"),
    path("programs/<int:pk>/edit/", setup.program_edit, name="edit"),
    path("programs/<int:pk>/archive/", setup.program_archive_view, name="archive"),
    path("programs/<int:pk>/areas/", setup.area_list, name="areas"),
    path("programs/<int:pk>/areas/<int:area_pk>/toggle/", setup.area_toggle, name="area_toggle"),
    path("programs/<int:pk>/documents/<str:kind>/", setup.document_versions, name="documents"),
    path("programs/<int:pk>/training/", setup.training_list, name="training"),
    path("programs/<int:pk>/training/<int:module_pk>/", setup.training_edit, name="training_edit"),
    path("programs/<int:pk>/on-call/", setup.on_call, name="on_call"),
    path("programs/<int:pk>/stories/", stories.story_list, name="story_list"),
    path("programs/<int:pk>/public-page/", stories.public_page_settings, name="public_page_settings"),
    path("programs/<int:pk>/on-call/<int:shift_pk>/remove/", setup.on_call_shift_remove_view, name="on_call_remove"),
    # Applications review.
    path("programs/<int:pk>/applications/", applications.application_list, name="applications"),
    path("applications/<int:pk>/", applications.application_detail, name="application_detail"),
    # Mentor readiness.
    path("mentors/<int:pk>/readiness/", readiness.mentor_readiness, name="mentor_readiness"),
    path("mentors/<int:pk>/readiness/modules/<int:module_pk>/done/", readiness.module_mark_done, name="module_done"),
    path(
        "mentors/<int:pk>/readiness/modules/<int:module_pk>/confirm/", readiness.module_confirm, name="module_confirm"
    ),
    path("mentors/<int:pk>/readiness/agreement/", readiness.agreement_sign_view, name="agreement_sign"),
    path("mentors/<int:pk>/readiness/check/", readiness.background_check_view, name="background_check"),
    # Mentee intake and consent.
    path("mentees/<int:pk>/intake/", intake.mentee_intake, name="mentee_intake"),
    path("mentees/<int:pk>/consents/new/", intake.consent_new, name="consent_new"),
    path("consents/<int:pk>/withdraw/", intake.consent_revoke_view, name="consent_revoke"),
]
