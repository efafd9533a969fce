from django.conf import settings
from django.contrib import admin
from django.http import JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.static import serve

from articles.api.endpoints import api
from newsroom.health import healthz

admin.site.site_header = f"{settings.NEWSROOM_SITE_NAME}: newsroom"
admin.site.site_title = "Newsroom admin"
admin.site.index_title = "Newsroom"


def favicon(request):
    # Looked up per request, not when the URLconf loads: with DEBUG off the
    # hashed name exists only after collectstatic, and commands such as
    # migrate load the URLconf (system checks) before that has run.
    return redirect(static("favicon.svg"), permanent=True)


def api_not_found(request, rest):
    return JsonResponse({"detail": "No such API address; the API lives under /api/v1/ (see /api/v1/docs/)."},
                        status=404)


urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
    # Uploaded media on a single machine; behind a CDN or S3 this route goes unused.
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", api_not_found),  # any other address under /api/ answers in JSON too
    path("", include("articles.urls")),
]
