from django.urls import path

from initiatives import views

app_name = "initiatives"

urlpatterns = [
    path("initiatives/<slug:slug>/", views.InitiativeDetailView.as_view(), name="detail"),
]
