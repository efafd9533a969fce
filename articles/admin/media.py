"""The media library in the admin: upload, describe, set the focal point, see where an image is used, pick one."""

from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from .. import library
from ..models import Image
from ..publishing import rules
from .forms import ImageAdminForm

PICKER_PAGE_SIZE = 24


class InUseFilter(admin.SimpleListFilter):
    title = "use"
    parameter_name = "use"

    def lookups(self, request, model_admin):
        return [("used", "Used in an article"), ("unused", "Not used in any article")]

    def queryset(self, request, queryset):
        if self.value() == "used":
            return queryset.filter(article_count__gt=0)
        if self.value() == "unused":
            return queryset.filter(article_count=0)
        return queryset


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    form = ImageAdminForm
    list_display = ("thumbnail", "alt", "credit", "size", "uploaded_by", "uploaded_at", "used_in")
    list_display_links = ("thumbnail", "alt")
    list_filter = (InUseFilter, "uploaded_at")
    list_select_related = ("uploaded_by",)
    search_fields = ("alt", "caption", "credit")
    date_hierarchy = "uploaded_at"
    ordering = ("-uploaded_at", "-pk")  # newest first in the list and in the lead image's autocomplete (stable pages)
    readonly_fields = ("focal_picker", "size", "uploaded_by", "uploaded_at", "usage")
    fieldsets = (
        (None, {"fields": ("file", "alt", "caption", "credit")}),
        ("Focal point", {"fields": ("focal_picker", "focal_x", "focal_y"),
                         "description": "Click the picture where the crops must keep it (a face, say)."}),
        ("About", {"fields": ("size", "uploaded_by", "uploaded_at", "usage")}),
    )

    class Media:
        js = ("admin/articles/focal-point.js",)

    def get_queryset(self, request):
        return super().get_queryset(request).with_usage()

    # An image readers see is changed or deleted by an editor only (publishing/rules.py).
    def has_change_permission(self, request, obj=None):
        if obj is not None and not rules.may_change_image(request.user, library.shown_to_readers(obj)):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not rules.may_change_image(request.user, library.shown_to_readers(obj)):
            return False
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request, queryset):
        for image in queryset:
            if not rules.may_change_image(request.user, library.shown_to_readers(image)):
                self.message_user(request, f"“{image}” is shown to readers; only an editor may delete it.", "error")
                return
        super().delete_queryset(request, queryset)

    def save_model(self, request, obj, form, change):
        library.save_image(
            obj, user=request.user, file_changed="file" in form.changed_data,
            focal_changed=bool({"focal_x", "focal_y"} & set(form.changed_data)),
        )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("pick/", wrap(self.pick_view), name="articles_image_pick"),
            path("<int:object_id>/preview/", wrap(self.preview_view), name="articles_image_preview"),
            *super().get_urls(),
        ]

    def pick_view(self, request):
        """The editor's "Browse…" window: search the library and choose an image for a figure."""
        if not self.has_view_permission(request):
            return TemplateResponse(request, "admin/articles/image/pick.html", {"denied": True}, status=403)
        images = self.get_queryset(request).order_by("-uploaded_at", "-pk")
        query = request.GET.get("q", "").strip()
        if query:
            images = images.filter(Q(alt__icontains=query) | Q(caption__icontains=query) | Q(credit__icontains=query))
        page = Paginator(images, PICKER_PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            **self.admin_site.each_context(request),
            "title": "Choose an image",
            "page": page,
            "query": query,
            "callback": request.GET.get("CKEditorFuncNum", ""),
            "add_url": reverse("admin:articles_image_add"),
        }
        return TemplateResponse(request, "admin/articles/image/pick.html", context)

    def preview_view(self, request, object_id):
        """What the editor shows for a figure: the image's smallest rendition (the address names the image's id)."""
        image = get_object_or_404(Image, pk=object_id)
        if not self.has_view_permission(request, image):
            return redirect("admin:index")
        fallback = (image.renditions or {}).get("fallback")
        return redirect(fallback[0][0] if fallback else image.file.url)

    @admin.display(description="image")
    def thumbnail(self, image):
        return format_html('<img src="{}" alt="" width="80" style="height:auto">', small_url(image)) if image.file else "—"

    @admin.display(description="size")
    def size(self, image):
        return f"{image.width} × {image.height} px" if image.width else "—"

    @admin.display(description="used in", ordering="article_count")
    def used_in(self, image):
        count = getattr(image, "article_count", 0)
        return f"{count} article{'s' if count != 1 else ''}" if count else "not used"

    @admin.display(description="click to set")
    def focal_picker(self, image):
        if not image.file:
            return "Save the image first; then click it here to set its focal point."
        return format_html(
            '<div class="focal-picker" style="position:relative;display:inline-block;max-width:480px;cursor:crosshair">'
            '<img src="{}" alt="{}" style="max-width:480px;height:auto;display:block">'
            '<span class="focal-marker" style="position:absolute;left:{}%;top:{}%;width:18px;height:18px;margin:-9px 0 0 -9px;'
            'border:3px solid #fff;border-radius:50%;box-shadow:0 0 0 2px #c00;pointer-events:none"></span></div>',
            small_url(image, widest=True), image.alt, round(image.focal_x * 100, 1), round(image.focal_y * 100, 1),
        )

    @admin.display(description="used in")
    def usage(self, image):
        if not image.pk:
            return "—"
        articles, people = library.usage(image)
        if not articles and not people:
            return "Not used yet: it can be deleted."
        items = [(reverse("admin:articles_article_change", args=[a.pk]), f"{a.title} ({a.state_label.lower()})")
                 for a in articles]
        items += [(reverse("admin:articles_person_change", args=[p.pk]), f"{p.name} (photo)") for p in people]
        summary = f"Used in {len(articles)} article{'s' if len(articles) != 1 else ''}"
        summary += f" and {len(people)} {'person' if len(people) == 1 else 'people'}" if people else ""
        return format_html("<p>{}:</p><ul>{}</ul>", summary, format_html_join("", '<li><a href="{}">{}</a></li>', items))


def small_url(image, widest=False):
    """The smallest (or, for the focal picker, a middle-sized) rendition, else the file itself."""
    fallback = (image.renditions or {}).get("fallback") or []
    if not fallback:
        return image.file.url
    return fallback[min(1, len(fallback) - 1)][0] if widest else fallback[0][0]
