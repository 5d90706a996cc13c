from django.urls import path

from . import views

app_name = "goals"

urlpatterns = [
    path("checkin/", views.checkin, name="checkin"),
    path("assessment/", views.assessment, name="assessment"),
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/live/", views.alert_live, name="alert_live"),
    path("help-now/", views.help_now, name="help_now"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge_view, name="alert_acknowledge"),
    path("mentees/<int:pk>/goals/", views.mentee_goals, name="mentee_goals"),
    path("mentees/<int:pk>/goals/new/", views.goal_new, name="new"),
    path("mentees/<int:pk>/checkins/", views.checkin_list, name="checkins"),
    path("mentees/<int:pk>/progress/", views.progress, name="progress"),
    path("goals/<int:pk>/", views.goal_detail, name="detail"),
    path("goals/<int:pk>/action/", views.goal_action, name="action"),
    path("milestones/<int:pk>/toggle/", views.milestone_toggle, name="milestone_toggle"),
    path("checkins/<int:pk>/comment/", views.checkin_comment_view, name="checkin_comment"),
]
