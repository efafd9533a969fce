"""The article admin's own pages: compare two revisions, import text files, revoke preview links."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.csrf import csrf_protect

from ..importing import ImportOptions, import_sources
from ..publishing.revisions import compare, current_fields, field_dict, versions_of
from .forms import ImportForm
from .uploads import UploadLimit, uploaded_sources


def compare_view(model_admin, request, object_id):
    """Two revisions side by side, field by field; the body word by word."""
    article = model_admin.get_object(request, object_id)
    if article is None or not model_admin.has_view_or_change_permission(request, article):
        raise PermissionDenied
    versions = list(versions_of(article.pk))
    by_id = {str(v.pk): v for v in versions}
    newer = by_id.get(request.GET.get("b")) or (versions[0] if versions else None)
    older = by_id.get(request.GET.get("a")) or (versions[1] if len(versions) > 1 else newer)
    rows = compare(field_dict(older), field_dict(newer)) if newer else compare({}, current_fields(article))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "original": article,
        "title": f"Compare revisions of “{article}”",
        "versions": versions,
        "older": older,
        "newer": newer,
        "rows": rows,
    }
    return TemplateResponse(request, "admin/articles/article/compare.html", context)


def import_view(model_admin, request):
    """Upload .txt files; the same import service as the command does the work.

    The upload limit must be in place before the body is read, and CSRF
    protection reads it: so the view is CSRF-exempt at the URL and protected
    here, once the limit is installed (Django's documented order).
    """
    if not model_admin.has_add_permission(request):
        raise PermissionDenied
    limit = UploadLimit(settings.NEWSROOM_MAX_IMPORT_UPLOAD_BYTES)
    request.upload_handlers.insert(0, limit)
    return csrf_protect(_import)(request, model_admin, limit)


def _import(request, model_admin, limit):
    report = None
    form = ImportForm(request.POST or None, request.FILES or None)
    if limit.exceeded(request):
        form.add_error("files", limit.message())
    elif request.method == "POST" and form.is_valid():
        options = ImportOptions(
            publish=form.cleaned_data["publish"], default_category=form.cleaned_data["category"], user=request.user,
            date_order=form.cleaned_data["date_order"] or None,
        )
        report = import_sources(uploaded_sources(form.cleaned_data["files"]), options)
        model_admin.message_user(request, report.summary(), messages.SUCCESS if report.ok else messages.WARNING)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Import articles from text files",
        "form": form,
        "report": report,
        "can_publish": model_admin.has_publish_permission(request),
    }
    return TemplateResponse(request, "admin/articles/article/import.html", context)


def revoke_previews_view(model_admin, request, object_id):
    """The change form's "Revoke preview links" button: every link shared so far stops working."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    article = model_admin.get_object(request, object_id)
    if article is None or not model_admin.has_change_permission(request, article):
        raise PermissionDenied
    model_admin.revoke_previews(request, model_admin.model.objects.filter(pk=article.pk))
    return redirect("admin:articles_article_change", article.pk)
