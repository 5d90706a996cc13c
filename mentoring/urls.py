from django.urls import path

from . import health, views

app_name = "mentoring"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("crisis/", views.crisis, name="crisis"),
    path("healthz/", health.healthz, name="healthz"),
    path("home/", views.home, name="home"),
    path("home/coordinator/", views.home_coordinator, name="home_coordinator"),
    path("home/mentor/", views.home_mentor, name="home_mentor"),
    path("home/mentee/", views.home_mentee, name="home_mentee"),
    path("home/volunteer/", views.home_volunteer, name="home_volunteer"),
    path("profiles/<str:kind>/<int:pk>/edit/", views.profile_edit, name="profile_edit"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("invitations/", views.invitation_list, name="invitation_list"),
    path("invitations/new/", views.invitation_new, name="invitation_new"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke_view, name="invitation_revoke"),
    path("invite/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
    path("accounts/profile/", views.profile, name="profile"),
]
