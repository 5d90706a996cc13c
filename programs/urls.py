from django.urls import path

from . import views

app_name = "programs"

urlpatterns = [
    path("<int:pk>/", views.program_detail, name="detail"),
]
