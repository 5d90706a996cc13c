from django.urls import path

from . import views

app_name = "conversations"

urlpatterns = [
    path("messages/", views.conversation_list, name="list"),
    path("messages/start/", views.conversation_start, name="start"),
    path("messages/<int:pk>/", views.conversation_detail, name="detail"),
    path("messages/<int:pk>/send/", views.message_send_view, name="send"),
    path("messages/<int:pk>/read/", views.conversation_read_view, name="read"),
    path("messages/report/<int:pk>/", views.message_report_view, name="report"),
    path("messages/checkins/<int:pk>/reply/", views.checkin_reply, name="checkin_reply"),
    path("matches/<int:pk>/messages/pause/", views.match_pause, name="match_pause"),
    path("programs/<int:pk>/risk-phrases/", views.risk_phrases, name="risk_phrases"),
    path(
        "programs/<int:pk>/risk-phrases/<int:phrase_pk>/remove/",
        views.risk_phrase_remove_view,
        name="risk_phrase_remove",
    ),
    path("programs/<int:pk>/reported-messages/", views.reported_list, name="reported"),
    path("reported-messages/<int:pk>/", views.reported_detail, name="reported_detail"),
]
