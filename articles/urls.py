from django.urls import path

from . import views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views.search_page, name="search"),
    path("tag/<str:slug>/", views.tag_page, name="tag"),
    path("people/", views.people_index, name="people"),
    path("people/<str:slug>/", views.person_page, name="person"),
    path("organisations/", views.organization_index, name="organizations"),
    path("organisations/<str:slug>/", views.organization_page, name="organization"),
    # Categories and articles share the slug-path space; keep this last.
    path("<path:path>/", views.path_view, name="path"),
]
