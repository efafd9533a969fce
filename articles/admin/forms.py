"""The admin's forms: the article form with tags, the body editor and the no-lost-edit check; the library's
image form with its upload checks; the import form."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminFileWidget, AutocompleteSelectMultiple
from django.core.files.uploadedfile import UploadedFile
from django.urls import Resolver404, resolve, reverse
from django.utils.html import escape
from django_prose_editor.widgets import AdminProseEditorWidget
from taggit.models import Tag

from .. import richtext
from ..images import clean_upload
from ..models import Article, Image
from ..publishing.workflow import edit_conflict

TAG_MAX_LENGTH = Tag._meta.get_field("name").max_length
# The editor offers what articles/richtext.py allows, and the server keeps only that, whatever is posted.
BODY_EDITOR = {
    "extensions": {
        "Bold": True, "Italic": True, "HardBreak": True,
        "Heading": {"levels": [2, 3]},
        "BulletList": True, "OrderedList": True, "ListItem": True, "Blockquote": True,
        "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
        "Table": True, "TableRow": True, "TableHeader": True, "TableCell": True,
        "Figure": True, "Image": True, "Caption": True,
    }
}


def body_editor_config():
    """The editor's configuration: "Insert figure" browses the media library (an admin URL, known once URLs load)."""
    extensions = {**BODY_EDITOR["extensions"], "Figure": {"pickerUrl": reverse("admin:articles_image_pick")}}
    return {**BODY_EDITOR, "extensions": extensions}


def image_id_for(src):
    """The library image an editor's figure shows: its ``<img>`` is the image's admin preview (see admin/media.py)."""
    try:
        match = resolve(src.split("?", 1)[0].split("#", 1)[0])
    except Resolver404:
        return None
    return match.kwargs.get("object_id") if match.url_name == "articles_image_preview" else None


def editor_html(body):
    """A stored body as the editor shows it: each library figure with its image's admin preview inside."""
    if "<figure" not in body:
        return body
    ids = richtext.figure_ids(body)
    alts = dict(Image.objects.filter(pk__in=ids).values_list("pk", "alt"))

    def figure(image_id, caption_html, position):
        if image_id not in alts:
            return None
        src = reverse("admin:articles_image_preview", args=[image_id])
        caption = f"<figcaption>{caption_html}</figcaption>" if caption_html else ""
        return f'<figure data-image-id="{image_id}"><img src="{src}" alt="{escape(alts[image_id])}">{caption}</figure>'

    return richtext.replace_figures(body, figure)


def checked_image(value):
    """A newly uploaded image, checked and stripped of metadata; a stored one is left as it is."""
    if value and isinstance(value, UploadedFile):
        return clean_upload(value)
    return value


class ArticleAdminForm(forms.ModelForm):
    """Tags are picked from existing ones with autocomplete; new ones are typed in beside them."""

    tags = forms.ModelMultipleChoiceField(
        queryset=Tag.objects.all(),
        required=False,
        widget=AutocompleteSelectMultiple(Article._meta.get_field("tags"), admin.site),
        help_text="Start typing to find an existing tag.",
    )
    new_tags = forms.CharField(
        required=False,
        label="New tags",
        help_text="Comma-separated, e.g. “rural e-commerce, 淘宝”.",
    )

    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    keep_live_version = forms.BooleanField(
        required=False,
        label="Keep the live version",
        help_text="For a published article: save these text changes as pending. Readers keep seeing the live "
        "version until an editor publishes the pending changes.",
    )

    class Meta:
        model = Article
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "body" in self.fields:  # not when the form is read-only (a Writer viewing a published article)
            self.fields["body"].widget = AdminProseEditorWidget(config=body_editor_config(), preset="configurable")
        if self.instance.pk:
            self.fields["base_version"].initial = self.instance.version
        if self.instance.pending_changes:
            # Editors carry on with the rework, not the live text.
            for name in Article.PENDING_FIELDS:
                field = name.removesuffix("_id")  # lead_image_id is kept; the form's field is lead_image
                if name in self.instance.pending_changes and field in self.fields:
                    self.initial[field] = self.instance.pending_changes[name]
            self.fields["keep_live_version"].initial = True
        if self.initial.get("body"):
            # Bodies from before rich text, and bulk imports, are plain text: the editor gets their paragraphs.
            self.initial["body"] = editor_html(richtext.clean(self.initial["body"]))

    def clean_body(self):
        # The editor's figures hold the library image's preview; stored, they refer to the image by its id.
        body = richtext.clean(self.cleaned_data.get("body", ""), image_id_for=image_id_for)
        if not richtext.plain_text(body).strip() and not richtext.figure_ids(body):
            raise forms.ValidationError(
                "The body holds no text the newsroom keeps: scripts, styles, images not chosen from the library "
                "and other elements outside the allowed structure are removed.", code="empty_after_cleaning")
        return body

    def clean(self):
        cleaned = super().clean()
        selected = list(cleaned.get("tags") or [])
        names = {tag.name for tag in selected}
        # Commas only: "rural e-commerce" is one tag (taggit's parser would split it at spaces).
        typed = [name.strip() for name in cleaned.get("new_tags", "").split(",")]
        typed = list(dict.fromkeys(name for name in typed if name and name not in names))
        too_long = [name for name in typed if len(name) > TAG_MAX_LENGTH]
        if too_long:
            self.add_error("new_tags", f"A tag can be at most {TAG_MAX_LENGTH} characters long "
                                       f"(“{too_long[0][:40]}…” is {len(too_long[0])}).")
        cleaned["tags"] = selected + typed
        conflict = edit_conflict(self.instance, cleaned.get("base_version"), self.cleaned_data)
        if conflict:
            message, current = conflict
            # Saving again from this form means "I have seen the other changes; keep mine".
            data = self.data.copy()
            data["base_version"] = current
            self.data = data
            raise forms.ValidationError(message, code="edit_conflict")
        return cleaned


class ImageAdminForm(forms.ModelForm):
    # A plain file field: Pillow's checks in images.py give clearer messages
    # (bomb, SVG, size) than the generic "Upload a valid image".
    file = forms.FileField(widget=AdminFileWidget, help_text="JPEG, PNG, WebP or GIF; metadata is removed.")

    class Meta:
        model = Image
        fields = "__all__"

    def clean_file(self):
        return checked_image(self.cleaned_data.get("file"))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".txt,text/plain"}))
        kwargs.setdefault("allow_empty_file", True)  # the import report says "empty" itself
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files if item] or [super().clean(None)]


class ImportForm(forms.Form):
    files = MultipleFileField(help_text="One or more .txt files in the breadcrumb or header format.")
    category = forms.CharField(initial="News", help_text="For files that name no category, e.g. News/Wire.")
    publish = forms.BooleanField(required=False, help_text="Publish at once (editors only); otherwise drafts.")
    date_order = forms.ChoiceField(
        required=False, label="Dates like 06/01/2022",
        choices=[("", "Refuse them (never guessed)"), ("day-first", "Day first: 6 January"), ("month-first", "Month first: 1 June")],
    )
