"""The admin's forms: the article form with tags, image checks and the no-lost-edit check; the import form."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AdminFileWidget, AutocompleteSelectMultiple
from django.core.files.uploadedfile import UploadedFile
from django_prose_editor.widgets import AdminProseEditorWidget
from taggit.models import Tag

from .. import richtext
from ..images import clean_upload
from ..models import Article, Person
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
    }
}


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
    # A plain file field: Pillow's checks in images.py give clearer messages
    # (bomb, SVG, size) than the generic "Upload a valid image".
    lead_image = forms.FileField(required=False, widget=AdminFileWidget, help_text="JPEG, PNG, WebP or GIF.")
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
        widgets = {"body": AdminProseEditorWidget(config=BODY_EDITOR, preset="configurable")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["base_version"].initial = self.instance.version
        if self.instance.pending_changes:
            # Editors carry on with the rework, not the live text.
            for name in Article.PENDING_FIELDS:
                if name in self.instance.pending_changes and name in self.fields:
                    self.initial[name] = self.instance.pending_changes[name]
            self.fields["keep_live_version"].initial = True
        if self.initial.get("body"):
            # Bodies from before rich text, and bulk imports, are plain text: the editor gets their paragraphs.
            self.initial["body"] = richtext.clean(self.initial["body"])

    def clean_lead_image(self):
        return checked_image(self.cleaned_data.get("lead_image"))

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


class PersonAdminForm(forms.ModelForm):
    photo = forms.FileField(required=False, widget=AdminFileWidget, help_text="JPEG, PNG, WebP or GIF.")

    class Meta:
        model = Person
        fields = "__all__"

    def clean_photo(self):
        return checked_image(self.cleaned_data.get("photo"))


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
