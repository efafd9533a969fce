"""Revisions of an article (django-reversion): who saved what, field by field, and word-by-word diffs."""

import difflib
import re

from django.utils.html import escape
from django.utils.safestring import mark_safe
from reversion.models import Version

from django.contrib.contenttypes.models import ContentType

from ..models import Article, ArticleOrganization, ArticlePerson, Grade, Image, Organization, Person
from ..richtext import plain_text

# The fields an editor compares between revisions, in the order a page shows them.
COMPARED_FIELDS = [
    ("title", "Title"),
    ("standfirst", "Standfirst"),
    ("body", "Body"),
    ("category", "Category"),
    ("byline", "Byline"),
    ("status", "Status"),
    ("publish_at", "Publish time"),
    ("unpublish_at", "Unpublish time"),
    ("lead_image", "Lead image"),
    ("people", "People"),
    ("organizations", "Organisations"),
]
# People and organisations are links with grades of their own (edited inline): a revision holds them as
# versions of the link rows beside the article's own (django-reversion follows the inlines).
LINKS = {"people": (ArticlePerson, "person_id", Person), "organizations": (ArticleOrganization, "organization_id", Organization)}
STRUCTURE_ONLY = mark_safe("<em>The text is the same; only its structure changed (headings, lists, links, emphasis).</em>")
WORDS = re.compile(r"\S+|\s+")


def versions_of(article_pk):
    """Revisions of an article, newest first, with who made them."""
    return (
        Version.objects.get_for_object_reference(Article, article_pk)
        .select_related("revision", "revision__user")
        .order_by("-revision__date_created", "-pk")
    )


def comparable(fields):
    return {name: fields.get(name) for name, _ in COMPARED_FIELDS}


def current_fields(article):
    data = {name: getattr(article, name, None) for name, _ in COMPARED_FIELDS if name not in ("category", *LINKS)}
    data["category"] = article.category_id
    data["lead_image"] = article.lead_image_id
    for name, (model, key, _) in LINKS.items():
        pairs = model.objects.filter(article_id=article.pk).values_list(key, "grade") if article.pk else []
        data[name] = _named(name, pairs)
    return data


def field_dict(version):
    data = dict(version.field_dict)
    data["category"] = data.pop("category_id", data.get("category"))
    data["lead_image"] = data.pop("lead_image_id", data.get("lead_image"))
    for name, (model, key, _) in LINKS.items():
        links = version.revision.version_set.filter(content_type=ContentType.objects.get_for_model(model))
        pairs = [(link.field_dict.get(key), link.field_dict.get("grade")) for link in links
                 if str(link.field_dict.get("article_id")) == str(version.object_id)]
        data[name] = _named(name, pairs)
    return comparable(data)


def _named(name, pairs):
    """Linked people or organisations as "Name (grade)", sorted: what the compare view shows and diffs."""
    pairs = list(pairs)
    model = LINKS[name][2]
    names = dict(model.objects.filter(pk__in=[pk for pk, _ in pairs]).values_list("pk", "name")) if pairs else {}
    labels = dict(Grade.choices)
    return ", ".join(sorted(f"{names.get(pk, f'#{pk}')} ({labels.get(grade, grade)})" for pk, grade in pairs))


def changed_fields(before, after):
    return [label for name, label in COMPARED_FIELDS if _norm(before.get(name)) != _norm(after.get(name))]


def _norm(value):
    return "" if value is None else value


def changed_since(article, base_version):
    """What changed in ``article`` since the revision that had ``base_version``, and who saved last.

    Returns (labels of changed fields, the newest Version or None).
    """
    versions = list(versions_of(article.pk)[:50])
    newest = versions[0] if versions else None
    base = next((v for v in versions if v.field_dict.get("version") == base_version), None)
    if base is None:
        return [], newest
    return changed_fields(field_dict(base), current_fields(article)), newest


def word_diff(old, new):
    """An HTML word-by-word diff, every piece escaped: <del> for removed words, <ins> for added ones."""
    old_words, new_words = WORDS.findall(old or ""), WORDS.findall(new or "")
    out = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, old_words, new_words, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(old_words[a1:a2])))
            continue
        if a2 > a1:
            out.append(f"<del>{escape(''.join(old_words[a1:a2]))}</del>")
        if b2 > b1:
            out.append(f"<ins>{escape(''.join(new_words[b1:b2]))}</ins>")
    return mark_safe("".join(out))


def _image_names(ids):
    return {pk: f"{alt} (image {pk})" for pk, alt in Image.objects.filter(pk__in=ids).values_list("pk", "alt")} if ids else {}


def compare(old, new):
    """Rows of (label, old value, new value, html diff or None, changed?) for two field dicts."""
    rows = []
    images = _image_names({old.get("lead_image"), new.get("lead_image")} - {None, ""})
    for name, label in COMPARED_FIELDS:
        a, b = _norm(old.get(name)), _norm(new.get(name))
        if name == "lead_image":
            a, b = images.get(a, a), images.get(b, b)  # the library image's alt text, not its number
        if name == "body":
            # Compared as text, word by word; a body whose text stayed the same may still have changed its structure.
            a, b, structure = plain_text(a), plain_text(b), a != b
            if structure and a == b:
                rows.append((label, a, b, STRUCTURE_ONLY, True))
                continue
        diff = word_diff(str(a), str(b)) if isinstance(a, str) and isinstance(b, str) and a != b else None
        rows.append((label, a, b, diff, a != b))
    return rows
