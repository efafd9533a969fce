"""The read API's operations. Each filters ``Article.objects.published()`` (or what it reaches), pages by
keyset, and hands rows to articles/representation.py; each list runs a fixed number of queries."""

import logging
from datetime import datetime

from django.db.models import Exists, OuterRef, Prefetch
from django.http import Http404
from django.urls import reverse
from ninja import NinjaAPI, Query
from ninja.errors import HttpError, ValidationError
from taggit.models import Tag

from .. import representation
from ..models import Article, Correction, DeletedArticle, Organization, Person, Role
from ..origin import site_origin
from ..publishing.visibility import category_tree
from . import filters, pagination, schemas
from .pagination import DEFAULT_LIMIT, MAX_LIMIT, BadCursor

log = logging.getLogger(__name__)

api = NinjaAPI(
    title="Newsroom read API",
    version="1",
    description=(
        "Published articles, sections, tags, people, organisations and corrections, read-only. "
        "Lists answer `{\"results\": [...], \"next\": URL or null}`; follow `next` until it is null."
    ),
    urls_namespace="api",
    openapi_url="/schema/",
    docs_url="/docs/",
)

Limit = Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description=f"Items per page, 1 to {MAX_LIMIT}.")
Cursor = Query(None, description="The opaque cursor from the previous page's `next`.")
NOT_FOUND = {404: schemas.Error}


@api.exception_handler(ValidationError)
def bad_request(request, exc):
    problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'][1:]) or e['loc'][0]}: {e['msg']}" for e in exc.errors)
    return api.create_response(request, {"detail": problems, "errors": exc.errors}, status=400)


@api.exception_handler(filters.BadParameter)
@api.exception_handler(BadCursor)
def bad_parameter(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=400)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Not found."}, status=404)


@api.exception_handler(HttpError)
def http_error(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


@api.exception_handler(Exception)
def server_error(request, exc):
    log.exception("API error on %s", request.path)
    return api.create_response(request, {"detail": "Internal error; it has been logged."}, status=500)


def page(request, cursor):
    """The list answer: results and the absolute URL of the next page (this query with its cursor)."""
    if cursor is None:
        return None
    query = request.GET.copy()
    query["cursor"] = cursor
    return f"{site_origin(request)}{request.path}?{query.urlencode()}"


ARTICLE_ORDER = [("-publish_at", datetime), ("-pk", int)]


@api.get("/articles/", response=schemas.ArticleList, url_name="articles", tags=["articles"],
         summary="Published articles, newest first")
def list_articles(
    request,
    category: str = Query(None, description="A section's slug path (`business/e-commerce`); its subsections too."),
    tag: str = Query(None, description="A tag's slug."),
    person: str = Query(None, description="A person's slug."),
    organisation: str = Query(None, description="An organisation's slug."),
    language: str = Query(None, description="A language code (`en`, `zh`)."),
    updated_since: str = Query(None, description="Only articles edited, gone live or corrected at or after this ISO 8601 time."),
    limit: int = Limit,
    cursor: str = Cursor,
):
    origin = site_origin(request)
    articles = Article.objects.published().select_related("category", "lead_image").defer("body", "quality_flags", "source_checksum", "pending_changes")
    if category is not None:
        tree = category_tree(request)
        section = tree.by_path.get(category.strip("/"))
        ids = tree.descendant_ids(section) if section is not None and tree.is_public(section) else []
        articles = articles.filter(category_id__in=ids)
    if tag is not None:
        articles = articles.filter(tags__slug=tag)
    if person is not None:
        articles = articles.filter(people__slug=person)
    if organisation is not None:
        articles = articles.filter(organizations__slug=organisation)
    if language is not None:
        articles = articles.filter(language=filters.language(language))
    if updated_since is not None:
        articles = filters.changed_since(articles, filters.moment("updated_since", updated_since))
    rows, following = pagination.keyset_page(articles, ARTICLE_ORDER, cursor, limit)
    rows = representation.with_tags(rows)
    return {"results": [representation.article_summary(a, origin) for a in rows], "next": page(request, following)}


@api.get("/articles/takedowns/", response=schemas.TakedownList, url_name="takedowns", tags=["articles"],
         summary="Articles readers no longer see (unpublished, expired or deleted) since a time")
def list_takedowns(
    request,
    since: str = Query(None, description="ISO 8601 time of the client's last sync; without it, every id not public."),
    limit: int = Limit,
    cursor: str = Cursor,
):
    """Ids to drop: a client that syncs `/articles/?updated_since=T` and this with `since=T` ends with exactly
    the public set. An id that was never public may appear (a new draft); a client ignores ids it does not hold."""
    origin = site_origin(request)
    when = filters.moment("since", since) if since is not None else None
    order = [("pk", int)]
    after = pagination.decode_cursor(cursor, order)[0] if cursor else 0
    hidden = filters.taken_down_since(when).filter(pk__gt=after).values_list("pk", flat=True)
    deleted = DeletedArticle.objects.filter(article_id__gt=after)
    if when is not None:
        deleted = deleted.filter(deleted_at__gte=when)
    ids = sorted(set(hidden.order_by("pk")[: limit + 1]) | set(
        deleted.order_by("article_id").values_list("article_id", flat=True)[: limit + 1]))
    following = pagination.encode_cursor([ids[limit - 1]]) if len(ids) > limit else None
    return {"results": [representation.takedown(pk, origin) for pk in ids[:limit]], "next": page(request, following)}


def public_article(request, pk):
    """The live article, or a 404 that reads exactly like one for an id that never existed."""
    article = (Article.objects.published().select_related("category", "lead_image")
               .prefetch_related(*representation.ARTICLE_DETAIL_RELATED).filter(pk=pk).first())
    if article is None:
        raise Http404("No article with that id.")
    representation.with_tags([article])
    tree = category_tree(request)
    category = tree.by_pk.get(article.category_id, article.category)
    return article, [*tree.ancestors(category), category]


@api.get("/articles/{int:article_id}/", response={200: schemas.ArticleDetail, **NOT_FOUND}, url_name="article",
         tags=["articles"], summary="One published article")
def get_article(request, article_id: int):
    article, path = public_article(request, article_id)
    return representation.article_detail(article, site_origin(request), path)


@api.get("/articles/{int:article_id}/ninjs/", response={200: dict, **NOT_FOUND}, url_name="article_ninjs",
         tags=["articles"], summary="One published article in IPTC ninjs 2.0")
def get_article_ninjs(request, article_id: int):
    article, path = public_article(request, article_id)
    return representation.ninjs(article, site_origin(request), path)


@api.get("/categories/", response=schemas.CategoryList, url_name="categories", tags=["sections"],
         summary="The public section tree")
def list_categories(request):
    tree = category_tree(request)
    origin = site_origin(request)

    def node(category, seen):
        return {
            "path": category.path, "name": category.name, "full_name": category.full_name,
            "description": category.description, "canonical_url": origin + category.get_absolute_url(),
            "children": [node(c, seen | {c.pk}) for c in tree.children.get(category.pk, []) if c.pk not in seen],
        }

    return {"results": [node(c, {c.pk}) for c in tree.sections], "next": None}


@api.get("/tags/", response=schemas.TagList, url_name="tags", tags=["tags"], summary="Tags of published articles")
def list_tags(request, limit: int = Limit, cursor: str = Cursor):
    origin = site_origin(request)
    tagged = Article.objects.published().filter(tags=OuterRef("pk"))
    tags = Tag.objects.filter(Exists(tagged))
    rows, following = pagination.keyset_page(tags, [("slug", str), ("pk", int)], cursor, limit)
    return {
        "results": [{"slug": t.slug, "name": t.name, "canonical_url": origin + reverse("articles:tag", args=[t.slug])}
                    for t in rows],
        "next": page(request, following),
    }


ROLES_WITH_ORGANISATIONS = Prefetch("roles", queryset=Role.objects.select_related("organization"))
ROLES_WITH_PEOPLE = Prefetch("roles", queryset=Role.objects.select_related("person"))


@api.get("/people/", response=schemas.PersonList, url_name="people", tags=["people"], summary="People, by name")
def list_people(request, limit: int = Limit, cursor: str = Cursor):
    origin = site_origin(request)
    people = Person.objects.prefetch_related(ROLES_WITH_ORGANISATIONS)
    rows, following = pagination.keyset_page(people, [("name", str), ("pk", int)], cursor, limit)
    return {"results": [representation.person(p, origin) for p in rows], "next": page(request, following)}


@api.get("/people/{slug}/", response={200: schemas.Person, **NOT_FOUND}, url_name="person", tags=["people"],
         summary="One person and their roles")
def get_person(request, slug: str):
    found = Person.objects.prefetch_related(ROLES_WITH_ORGANISATIONS).filter(slug=slug).first()
    if found is None:
        raise Http404("No person with that slug.")
    return representation.person(found, site_origin(request))


def organisations_by_pk():
    return {o.pk: o for o in Organization.objects.only("pk", "name", "slug", "parent_id")}


@api.get("/organisations/", response=schemas.OrganisationList, url_name="organisations", tags=["organisations"],
         summary="Organisations and their units, by name")
def list_organisations(request, limit: int = Limit, cursor: str = Cursor, identifier: str = Query(
        "", description="Only the organisation with this ticker (9988, BABA), LEI or Wikidata id, ignoring case.")):
    origin = site_origin(request)
    found = Organization.objects.prefetch_related("units", "listings", ROLES_WITH_PEOPLE)
    if identifier.strip():
        found = found.filter(pk__in=Organization.objects.filter(Organization.identifier_q(identifier.strip())).values("pk"))
    rows, following = pagination.keyset_page(found, [("name", str), ("pk", int)], cursor, limit)
    by_pk = organisations_by_pk()
    return {"results": [representation.organisation(o, origin, by_pk) for o in rows], "next": page(request, following)}


@api.get("/organisations/{slug}/", response={200: schemas.Organisation, **NOT_FOUND}, url_name="organisation",
         tags=["organisations"], summary="One organisation, its parent, units and roles")
def get_organisation(request, slug: str):
    found = Organization.objects.prefetch_related("units", "listings", ROLES_WITH_PEOPLE).filter(slug=slug).first()
    if found is None:
        raise Http404("No organisation with that slug.")
    return representation.organisation(found, site_origin(request), organisations_by_pk())


@api.get("/corrections/", response=schemas.CorrectionList, url_name="corrections", tags=["corrections"],
         summary="Corrections to published articles, newest first")
def list_corrections(request, limit: int = Limit, cursor: str = Cursor):
    origin = site_origin(request)
    found = Correction.objects.filter(article__in=Article.objects.published()).select_related("article__category")
    rows, following = pagination.keyset_page(found, [("-published_at", datetime), ("-pk", int)], cursor, limit)
    results = [
        {**representation.correction(c), "article": {
            "id": c.article_id, "title": c.article.title,
            "url": representation.api_url(origin, "article", c.article_id),
            "canonical_url": origin + c.article.get_absolute_url()}}
        for c in rows
    ]
    return {"results": results, "next": page(request, following)}
