from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("tag/<slug:slug>/", views.tag, name="tag"),
    path("people/<slug:slug>/", views.person, name="person"),
    path("organisations/<slug:slug>/", views.organization, name="organization"),
    path("<path:path>/", views.section_or_article, name="page"),
]
