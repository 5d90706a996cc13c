from django.urls import path

from . import views

app_name = "peer_sessions"

urlpatterns = [
    path("sessions/", views.my_sessions, name="my_sessions"),
    path("calendar/", views.calendar_settings, name="calendar_settings"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("matches/<int:pk>/sessions/new/", views.session_new, name="session_new"),
    path("matches/<int:pk>/sessions/record/", views.session_record, name="session_record"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/log/", views.session_log_view, name="session_log"),
    path("sessions/<int:pk>/cancel/", views.session_cancel_view, name="session_cancel"),
    path("sessions/<int:pk>/move/", views.session_propose, name="session_propose"),
    path("sessions/<int:pk>/join/", views.session_join, name="session_join"),
    path("sessions/time-proposals/<int:pk>/", views.time_proposal_answer, name="time_proposal_answer"),
    path("programs/<int:pk>/groups/", views.group_list, name="group_list"),
    path("programs/<int:pk>/groups/new/", views.group_new, name="group_new"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    path("groups/<int:pk>/register/", views.group_register, name="group_register"),
    path("groups/<int:pk>/edit/", views.group_edit, name="group_edit"),
    path("groups/<int:pk>/public/", views.group_public, name="group_public"),
    path("groups/<int:pk>/book/", views.group_book_view, name="group_book"),
    path("groups/<int:pk>/attendance/", views.attendance, name="attendance"),
    path("groups/<int:pk>/attendance/<int:registration_pk>/", views.attendance_row, name="attendance_row"),
    path("programs/<int:pk>/skills/", views.skills, name="skills"),
    path("programs/<int:pk>/sessions/figures/", views.figures, name="figures"),
]
