from django.urls import path

from . import health
from .views import dashboard, matches, notifications, pages, reports, twofactor

app_name = "mentoring"

urlpatterns = [
    path("", pages.landing, name="landing"),
    path("crisis/", pages.crisis, name="crisis"),
    path("healthz/", health.healthz, name="healthz"),
    path("home/", pages.home, name="home"),
    path("home/coordinator/", dashboard.home_coordinator, name="home_coordinator"),
    path("attention/", dashboard.needs_attention, name="attention"),
    path("reports/", reports.report_list, name="reports"),
    path("reports/<slug:slug>/", reports.report, name="report"),
    path("reports/<slug:slug>/export.csv", reports.report_export, name="report_export"),
    path("home/mentor/", pages.home_mentor, name="home_mentor"),
    path("home/mentee/", pages.home_mentee, name="home_mentee"),
    path("home/volunteer/", pages.home_volunteer, name="home_volunteer"),
    path("profiles/<str:kind>/<int:pk>/edit/", pages.profile_edit, name="profile_edit"),
    path("people/<int:pk>/", pages.person_detail, name="person_detail"),
    path("invitations/", pages.invitation_list, name="invitation_list"),
    path("invitations/new/", pages.invitation_new, name="invitation_new"),
    path("invitations/<int:pk>/revoke/", pages.invitation_revoke_view, name="invitation_revoke"),
    path("invite/<str:token>/", pages.invitation_accept_view, name="invitation_accept"),
    path("accounts/profile/", pages.profile, name="profile"),
    path("accounts/reminders/", notifications.preferences, name="preferences"),
    path("accounts/two-factor/", twofactor.status, name="twofactor"),
    path("accounts/two-factor/setup/", twofactor.setup, name="twofactor_setup"),
    path("accounts/two-factor/verify/", twofactor.verify, name="twofactor_verify"),
    path("accounts/two-factor/backup-codes/", twofactor.backup_codes, name="twofactor_backup_codes"),
    path("accounts/two-factor/backup-codes/new/", twofactor.regenerate, name="twofactor_regenerate"),
    path("accounts/two-factor/turn-off/", twofactor.disable, name="twofactor_disable"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/<int:pk>/read/", notifications.notification_read, name="notification_read"),
    path("unsubscribe/<str:token>/", notifications.unsubscribe, name="unsubscribe"),
    # Matching (coordinators) and the life of a match.
    path("programs/<int:pk>/matching/", matches.pool, name="pool"),
    path("programs/<int:pk>/matching/settings/", matches.matching_settings, name="matching_settings"),
    path("programs/<int:pk>/matches/", matches.match_list, name="match_list"),
    path("programs/<int:pk>/caseload/", matches.caseload, name="caseload"),
    path("programs/<int:pk>/waiting/", matches.waiting, name="waiting"),
    path("mentees/<int:pk>/suggestions/", matches.suggestions, name="suggestions"),
    path("mentees/<int:pk>/propose/", matches.propose, name="propose"),
    path("matches/<int:pk>/", matches.match_detail, name="match_detail"),
    path("matches/<int:pk>/respond/", matches.respond, name="match_respond"),
    path("matches/<int:pk>/move/", matches.move, name="match_move"),
    path("matches/<int:pk>/close/", matches.close, name="match_close"),
    path("matches/<int:pk>/survey/", matches.survey, name="match_survey"),
    path("matches/<int:pk>/graduate/", matches.graduate, name="match_graduate"),
]
