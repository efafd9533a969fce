"""Articles, sections, people and organisations as the read API and the webhooks show them.

Plain functions from model objects to JSON-ready dicts, shared by the API
(articles/api/) and the webhook worker (articles/webhooks/), so a partner sees
the same article whichever way it reached them. Every absolute URL starts with
the ``origin`` the caller passes (articles/origin.py's site_origin, or
NEWSROOM_SITE_URL where there is no request). Callers fetch the related rows
up front (``ARTICLE_LIST_RELATED``, ``ARTICLE_DETAIL_RELATED``): nothing here
runs a query.
"""

from django.contrib.contenttypes.models import ContentType
from functools import lru_cache

from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.encoding import iri_to_uri
from taggit.models import TaggedItem

from . import library, richtext
from .models import slug_path_url

ARTICLE_DETAIL_RELATED = ("people", "organizations", "corrections")
NINJS_SCHEMA = "http://www.iptc.org/std/ninjs/ninjs-schema_2.0.json"


def iso(moment):
    """Machine times to the second, in UTC offset form (2026-12-01T09:30:00+00:00)."""
    return moment.replace(microsecond=0).isoformat() if moment else None


def lead_image(article, origin):
    """The article's lead image from the media library, with its renditions and crops, or None.

    The one place the API and the webhooks read an article's image from.
    """
    image = article.lead_image
    if image is None:
        return None
    at = lambda url: origin + url if url.startswith("/") else url  # noqa: E731 (a CDN's address is absolute)
    stored = image.renditions or {}
    renditions = [
        {"url": at(url), "width": width, "format": kind}
        for kind in ("webp", "fallback")
        for url, width in stored.get(kind, [])
    ]
    renditions += [
        {"url": at(crop["url"]), "width": crop["width"], "format": f"crop-{ratio}"}
        for ratio, crop in stored.get("crops", {}).items()
    ]
    return {
        "url": at(image.file.url),
        "alt": image.alt,
        "caption": image.caption,
        "credit": image.credit,
        "width": image.width or None,
        "height": image.height or None,
        "renditions": renditions,
    }


def with_tags(articles):
    """Give each article its tags (``api_tags``, by slug) with one query for the lot.

    taggit's own prefetch builds a queryset per article, which cost more than
    the rest of a 20-item list put together (bench/api_choice.py).
    """
    articles = list(articles)
    tags = {a.pk: [] for a in articles}
    if articles:
        rows = (TaggedItem.objects.filter(content_type=ContentType.objects.get_for_model(articles[0]),
                                          object_id__in=list(tags))
                .order_by("tag__slug").values_list("object_id", "tag__slug", "tag__name"))
        for article_id, slug, name in rows:
            tags[article_id].append({"slug": slug, "name": name})
    for article in articles:
        article.api_tags = tags[article.pk]
    return articles


@lru_cache(maxsize=64)
def _url_template(name, prefix):
    for sentinel in ("0arg0", "987654321"):  # a slug, or an id
        try:
            return reverse(f"api:{name}", args=[sentinel]).replace(sentinel, "{}")
        except NoReverseMatch:
            continue
    raise NoReverseMatch(f"api:{name} takes neither a slug nor an id")


def api_url(origin, name, arg):
    """The API address of one item: reversed once per name, then filled in (a list builds hundreds)."""
    return origin + _url_template(name, get_script_prefix()).format(iri_to_uri(str(arg)))


def category_ref(category):
    return {"path": category.path, "name": category.name, "full_name": category.full_name}


def article_summary(article, origin):
    """What a list of articles gives for each (no body); ``article`` went through with_tags()."""
    return {
        "id": article.pk,
        "url": api_url(origin, "article", article.pk),
        "canonical_url": origin + article.get_absolute_url(),
        "title": article.title,
        "standfirst": article.standfirst,
        "byline": article.byline,
        "language": article.language,
        "category": category_ref(article.category),
        "tags": article.api_tags,  # see with_tags()
        "published_at": iso(article.publish_at),
        "updated_at": iso(article.updated_at),
        "lead_image": lead_image(article, origin),
    }


def article_detail(article, origin, category_path=None):
    """The whole article: body as sanitised HTML and as plain text, who and what it names, corrections.

    ``category_path``: the category and its ancestors, top first (from the category tree).
    """
    host = origin.split("://", 1)[-1]
    return {
        **article_summary(article, origin),
        "body_html": library.body_html(article, library.images_in([article]), site_host=host, origin=origin),
        "body_text": richtext.plain_text(article.body),
        "category_path": [category_ref(c) for c in (category_path or [article.category])],
        "people": [
            {"slug": p.slug, "name": p.name, "url": api_url(origin, "person", p.slug)} for p in article.people.all()
        ],
        "organisations": [
            {"slug": o.slug, "name": o.name, "url": api_url(origin, "organisation", o.slug)}
            for o in article.organizations.all()
        ],
        "corrections": [correction(c) for c in article.corrections.all()],
    }


def correction(item):
    return {"id": item.pk, "text": item.text, "published_at": iso(item.published_at)}


def takedown(article_id, origin):
    """What a client needs to drop an article it holds: its id and where it was."""
    return {"id": article_id, "url": api_url(origin, "article", article_id)}


def ninjs(article, origin, category_path=None):
    """The article in IPTC ninjs 2.0 (https://iptc.org/std/ninjs/), the JSON news agencies exchange."""
    detail = article_detail(article, origin, category_path)
    item = {
        "uri": detail["canonical_url"],
        "standard": {"name": "ninjs", "version": "2.0", "schema": NINJS_SCHEMA},
        "type": "text",
        "representationtype": "full",
        "version": str(article.version),
        "firstcreated": iso(article.created_at),
        "versioncreated": iso(article.updated_at),
        "contentcreated": iso(article.publish_at),
        "pubstatus": "usable",
        "language": article.language,
        "headlines": [{"role": "main", "value": article.title}],
        "descriptions": [{"role": "summary", "contenttype": "text/plain", "value": article.standfirst}],
        "bodies": [
            {"role": "main", "contenttype": "text/html", "value": detail["body_html"]},
            {"role": "main", "contenttype": "text/plain", "value": detail["body_text"],
             "charcount": len(detail["body_text"]), "wordcount": len(detail["body_text"].split())},
        ],
        "subjects": [
            *({"name": c["full_name"], "rel": "category", "uri": origin + slug_path_url(c["path"]), "literal": c["path"]}
              for c in detail["category_path"][-1:]),
            *({"name": t["name"], "rel": "tag", "literal": t["slug"]} for t in detail["tags"]),
        ],
        "people": [{"name": p["name"], "rel": "mentioned", "uri": p["url"], "literal": p["slug"]} for p in detail["people"]],
        "organisations": [
            {"name": o["name"], "rel": "mentioned", "uri": o["url"], "literal": o["slug"]} for o in detail["organisations"]
        ],
        "altids": [{"role": "newsroom-id", "value": str(article.pk)}],
    }
    if article.byline:
        item["by"] = article.byline
    if article.slug:
        item["slugline"] = article.slug
    image = detail["lead_image"]
    if image:
        item["associations"] = [{
            "name": "featureimage",
            "uri": image["url"],
            "type": "picture",
            "descriptions": [{"role": "alt", "value": image["alt"]},
                             *([{"role": "caption", "value": image["caption"]}] if image["caption"] else [])],
            **({"by": image["credit"]} if image["credit"] else {}),
            "renditions": [
                {"name": f"{r['format']}-{r['width']}", "href": r["url"], "width": r["width"],
                 "contenttype": "image/webp" if r["format"] == "webp" else None}
                for r in image["renditions"]
            ],
        }]
        for association in item["associations"]:
            for rendition in association["renditions"]:
                if rendition["contenttype"] is None:
                    del rendition["contenttype"]
    for c in detail["corrections"]:  # public notes, so descriptions (ednote is for the receiver's staff only)
        item["descriptions"].append({"role": "correction", "contenttype": "text/plain",
                                     "value": f"Correction ({c['published_at'][:10]}): {c['text']}"})
    return item


def entity_ref(origin, name, item):
    return {"slug": item.slug, "name": item.name, "url": api_url(origin, name, item.slug)}


def person(item, origin):
    """A person with their roles (``roles`` fetched with their organisations)."""
    return {
        "slug": item.slug,
        "name": item.name,
        "url": api_url(origin, "person", item.slug),
        "canonical_url": origin + item.get_absolute_url(),
        "job_title": item.job_title,
        "bio": item.bio,
        "wikidata_id": item.wikidata_id,
        "roles": [
            {"title": r.title, "organisation": entity_ref(origin, "organisation", r.organization),
             "start_date": r.start_date and r.start_date.isoformat(), "end_date": r.end_date and r.end_date.isoformat()}
            for r in item.roles.all()
        ],
    }


def organisation(item, origin, by_pk):
    """An organisation with its parent, its units and who holds which role there (``by_pk``: every organisation)."""
    parent = by_pk.get(item.parent_id)
    return {
        "slug": item.slug,
        "name": item.name,
        "url": api_url(origin, "organisation", item.slug),
        "canonical_url": origin + item.get_absolute_url(),
        "description": item.description,
        "wikidata_id": item.wikidata_id,
        "lei": item.lei,
        "listings": [{"ticker": listing.ticker, "exchange": listing.exchange} for listing in item.listings.all()],
        "parent": entity_ref(origin, "organisation", parent) if parent else None,
        "units": [entity_ref(origin, "organisation", unit) for unit in item.units.all()],
        "roles": [
            {"title": r.title, "person": entity_ref(origin, "person", r.person),
             "start_date": r.start_date and r.start_date.isoformat(), "end_date": r.end_date and r.end_date.isoformat()}
            for r in item.roles.all()
        ],
    }
