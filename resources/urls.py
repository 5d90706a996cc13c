from django.urls import path

from . import views

app_name = "resources"

urlpatterns = [
    path("resources/", views.directory, name="directory"),
    path("resources/new/", views.resource_new, name="new"),
    path("resources/review/", views.review, name="review"),
    path("resources/<int:pk>/", views.resource_detail, name="detail"),
    path("resources/<int:pk>/edit/", views.resource_edit, name="edit"),
    path("resources/<int:pk>/action/", views.resource_action, name="action"),
    path("my-resources/", views.my_resources, name="mine"),
    path("shares/<int:pk>/followup/", views.followup, name="followup"),
    path("programs/<int:pk>/resources/import/", views.csv_import, name="import"),
    path("programs/<int:pk>/resources/export.csv", views.csv_export, name="export"),
]
