from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.templatetags.static import static
from django.views.generic import RedirectView
from django.views.static import serve

from newsroom.health import healthz

admin.site.site_header = f"{settings.NEWSROOM_SITE_NAME}: newsroom"
admin.site.site_title = "Newsroom admin"
admin.site.index_title = "Newsroom"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    # Uploaded media on a single machine; behind a CDN or S3 this route goes unused.
    path(f"{settings.MEDIA_URL.strip('/')}/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}),
    path("", include("articles.urls")),
]
