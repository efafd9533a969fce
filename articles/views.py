"""Reader-facing pages. Each builds its lists with a fixed number of queries.

Every list of articles starts from ``Article.objects.published()``; only the
article page itself lets staff see a draft, as a marked preview.
"""

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import EmptyPage, InvalidPage, PageNotAnInteger, Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe

from . import library, search, sitemaps
from .compiled import CompiledQuery, latest_of_each
from .cache.purge import page_keys
from .origin import absolute_url, site_origin
from .routes import route_url
from .publishing import rules
from .reading import (
    GRADED_LISTS, LISTINGS, LIVE_ARTICLE, PERSON, RELATED, ROLES, SECTION_LIST, TAG, TAG_LIST, with_page_relations,
)
from .relations import prefetch_relations, set_prefetched
from .publishing.previews import article_from_preview_token
from .publishing.visibility import category_tree
from .models import Article, Correction, OldPath, Organization, Person
from .orgchart import Structure
from .orgchart_svg import chart_svg

HOME_LATEST = 12
SECTION_TEASERS = 3
RECENT_WINDOW = 300  # newest articles scanned for the home page's section teasers
RELATED_ARTICLES = 4
STORIES_ABOUT = 20  # the latest stories about a person or organisation, above the paginated mentions


@dataclass(frozen=True)
class Crumb:
    name: str
    url: str


def trail(*crumbs):
    """The breadcrumb trail: the site's home first, then the given crumbs."""
    return [Crumb(settings.NEWSROOM_SITE_NAME, route_url("articles:home")), *crumbs]


def category_crumbs(request, category):
    ancestors = category_tree(request).ancestors(category)
    return [Crumb(c.name, c.get_absolute_url()) for c in [*ancestors, category]]


def page_of(request, paginator):
    """The page ``?page=`` names; a number that is not a page (0, -1, abc, 40 digits, past the end) is a 404."""
    raw = request.GET.get("page", "1")
    try:
        return paginator.page(int(raw) if raw.isdigit() and len(raw) < 10 else raw)
    except InvalidPage:
        raise Http404("No such page.")


def paginate(request, source, **values):
    """One page of a list: ``source`` is a QuerySet, or a CompiledQuery with the ``values`` to run it with.

    The first page, the one most read, reads its rows straight away; from a
    CompiledQuery it counts and reads them without building either query. A
    deep page (?page=50) is found by primary key first, from the index alone,
    and only its rows are then read, so it stays as fast as the first.
    """
    size = settings.NEWSROOM_PAGE_SIZE
    if isinstance(source, CompiledQuery):
        if request.GET.get("page", "1") == "1":
            count = source.count(**values)
            rows = source.run(limit=size, **values) if count else []
            return page_of(request, Paginator(_Counted(count, rows), size, allow_empty_first_page=True))
        source = source.build(**values)
    queryset = source
    page = page_of(request, Paginator(queryset.values_list("pk", flat=True), size, allow_empty_first_page=True))
    if page.number == 1:
        page.object_list = list(queryset[:size])
        return page
    ids = list(page.object_list)
    rows = queryset.order_by().in_bulk(ids)
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    return page


def teaser_page(request, source, **values):
    """A page of teasers (``paginate``), each given its section from the request's category tree."""
    page = paginate(request, source, **values)
    category_tree(request).attach(page.object_list)
    return page


class _Counted:
    """What a Paginator asks of a list whose count and first rows are known already."""

    def __init__(self, total, rows):
        self.total, self.rows = total, rows

    def count(self):
        return self.total

    def __getitem__(self, index):
        return self.rows[index]


def home(request):
    tree = category_tree(request)
    latest, teasers = front_page(tree)
    return render(
        request,
        "articles/home.html",
        {
            "lead": latest[0] if latest else None,
            "latest": latest[1:],
            "sections": [(section, teasers[section.pk]) for section in tree.sections if teasers.get(section.pk)],
            "breadcrumbs": trail(),
        },
    )


def front_page(tree):
    """The latest articles, and the latest few of each top-level section (with its subsections).

    The site's newest few hundred articles, read as bare ids, usually hold
    every section's latest three; only sections that are not all found there
    are looked up on their own (one UNION query for all of them). The teasers
    are then read in one more query: two or three in all, whatever the number
    of sections.
    """
    published = Article.objects.published().order_by("-publish_at", "-pk")
    section_of = {pk: section.pk for section in tree.sections for pk in tree.descendant_ids(section)}
    recent = list(published.values_list("pk", "category_id")[:RECENT_WINDOW])
    picked = {section.pk: [] for section in tree.sections}
    for pk, category_id in recent:
        ids = picked.get(section_of.get(category_id))
        if ids is not None and len(ids) < SECTION_TEASERS:
            ids.append(pk)
    if len(recent) == RECENT_WINDOW:  # otherwise every article was seen already
        quiet = [section for section in tree.sections if len(picked[section.pk]) < SECTION_TEASERS]
        picked.update(latest_by_section(published, tree, quiet))
    latest_ids = [pk for pk, _ in recent[:HOME_LATEST]]
    articles = Article.objects.for_teasers().in_bulk([*latest_ids, *(pk for ids in picked.values() for pk in ids)])
    tree.attach(articles.values())

    def newest_first(ids):  # a UNION's rows come in no set order
        return sorted((articles[pk] for pk in ids if pk in articles), key=lambda a: (a.publish_at, a.pk), reverse=True)

    return newest_first(latest_ids), {section_pk: newest_first(ids) for section_pk, ids in picked.items()}


def latest_by_section(published, tree, sections):
    """{section pk: the ids of its latest few articles}, in one query (each section walks its own index)."""
    return latest_of_each(
        [(section.pk, published.filter(category_id__in=tree.descendant_ids(section))) for section in sections],
        SECTION_TEASERS,
    )


def path_view(request, path):
    """/<category path>/ is a category; /<category path>/<slug>/ is an article."""
    path = path.strip("/")
    tree = category_tree(request)
    category = tree.by_path.get(path)
    if category is not None and (tree.is_public(category) or rules.may_preview(request.user)):
        return category_page(request, category)
    category_path, _, slug = path.rpartition("/")
    try:
        return article_page(request, slug, category_path)
    except Http404:
        return old_path_redirect(request, path)


def old_path_redirect(request, path):
    """An address something had before it moved: 301 to where it is now, if readers may see it."""
    old = OldPath.objects.filter(path=path).select_related("article__category", "category").first()
    if old is None:
        raise Http404("No such page.")
    if old.article and not (rules.may_preview(request.user) or Article.objects.published().filter(pk=old.article_id).exists()):
        raise Http404("No such page.")
    return redirect(old.target, permanent=True)


def category_page(request, category):
    tree = category_tree(request)
    return render(
        request,
        "articles/category.html",
        {
            "category": category,
            "subcategories": tree.children.get(category.pk, []),
            "page": teaser_page(request, SECTION_LIST, now=timezone.now(), categories=tree.descendant_ids(category)),
            "breadcrumbs": trail(*category_crumbs(request, category)),
        },
    )


def article_page(request, slug, category_path):
    if rules.may_preview(request.user):
        article = get_object_or_404(with_page_relations(Article.objects.all()), slug=slug)
    else:
        article = one_or_404(LIVE_ARTICLE, "article", now=timezone.now(), slug=slug)  # the slug is unique
    if category_path != article.category.path or "page" in request.GET:
        return redirect(article, permanent=True)  # one address per article: no ?page= copies
    prefetch_relations([article])  # tags, corrections, people and organisations: one statement each
    return render_article(request, article)


def preview_page(request, token):
    """What a signed, expiring, revocable link shows: one draft, or one live article's pending changes."""
    found = article_from_preview_token(token)
    if found is None:
        raise Http404("This preview link is not valid: it has expired, was revoked, or shows nothing unpublished now.")
    article, kind = found
    article = with_page_relations(Article.objects).get(pk=article.pk).with_pending_changes()
    prefetch_relations([article])
    return render_article(request, article, force_preview=True, preview_kind=kind)


def render_article(request, article, force_preview=False, preview_kind=None):
    related = category_tree(request).attach(
        RELATED.run(limit=RELATED_ARTICLES, now=timezone.now(), category=article.category_id, pk=article.pk)
    )
    preview = force_preview or not article.is_live
    response = render(
        request,
        "articles/article.html",
        {
            "article": article,
            "related": related,
            "preview": preview,
            "preview_kind": preview_kind,
            # The stored body is clean (articles/richtext.py, on every save); rendering adds ids, wrappers, rel,
            # and the library's pictures for its figures (one query for all of them).
            "body_html": mark_safe(library.body_html(
                article, library.images_in([article]), site_host=urlsplit(site_origin(request)).netloc,
                eager_first=article.lead_image_id is None,
            )),
            "breadcrumbs": trail(
                *category_crumbs(request, article.category), Crumb(article.title, article.get_absolute_url())
            ),
        },
    )
    if preview:
        patch_cache_control(response, private=True, no_store=True)
        response["X-Robots-Tag"] = "noindex"
    else:
        response["Surrogate-Key"] = page_keys(article.pk, article.category_id)  # what a change purges it by
    return response


def one_or_404(compiled, what, **values):
    """The one row a CompiledQuery finds for a unique value, or a 404 naming ``what`` is missing."""
    found = compiled.run(limit=1, **values)
    if not found:
        raise Http404(f"No such {what}.")
    return found[0]


def tag_page(request, slug):
    tag = one_or_404(TAG, "tag", slug=slug)
    page = teaser_page(request, TAG_LIST, now=timezone.now(), tag=tag.pk,
                       kind=ContentType.objects.get_for_model(Article).pk)
    if not page.paginator.count:
        raise Http404("No such tag.")  # a tag of drafts only: its name is not for readers yet
    return render(
        request,
        "articles/tag.html",
        {
            "tag": tag,
            "page": page,
            "breadcrumbs": trail(Crumb(f"Tag: {tag.name}", reverse("articles:tag", args=[tag.slug]))),
        },
    )


def people_index(request):
    people = Person.objects.annotate(
        article_count=Count("articles", filter=Q(articles__in=Article.objects.published()))
    ).order_by("name")
    return render(
        request,
        "articles/people_index.html",
        {"people": people, "breadcrumbs": trail(Crumb("People", reverse("articles:people")))},
    )


def stories_by_grade(request, links, entity):
    """The latest stories about an entity (graded "about"), and a page of the others that mention it.

    ``links`` names the graded link ("person_links", "organization_links"); the entity and the
    grade are tested in one filter() so they are read from the same link row. Three queries,
    whatever the number of stories: the about list, and the page's count and rows.
    """
    about_list, mentioned_list = GRADED_LISTS[links]
    now = timezone.now()
    about = category_tree(request).attach(about_list.run(limit=STORIES_ABOUT, now=now, entity=entity.pk))
    return about, teaser_page(request, mentioned_list, now=now, entity=entity.pk)


def person_page(request, slug):
    person = one_or_404(PERSON, "person", slug=slug)
    about, page = stories_by_grade(request, "person_links", person)
    return render(
        request,
        "articles/person.html",
        {
            "person": person,
            "roles": ROLES.run(person=person.pk),
            "about": about,
            "page": page,
            "breadcrumbs": trail(
                Crumb("People", reverse("articles:people")), Crumb(person.name, person.get_absolute_url())
            ),
        },
    )


def organization_index(request):
    children = {}
    for org in Organization.objects.order_by("name"):
        children.setdefault(org.parent_id, []).append(org)

    def tree(parent_id, seen=frozenset()):
        return [(org, tree(org.pk, seen | {org.pk})) for org in children.get(parent_id, []) if org.pk not in seen]

    return render(
        request,
        "articles/organization_index.html",
        {"tree": tree(None), "breadcrumbs": trail(Crumb("Organisations", reverse("articles:organizations")))},
    )


ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class BadChartDate(ValueError):
    pass


def chart_date(request):
    """The day ``?on=`` asks for (YYYY-MM-DD), today without it; anything else is a BadChartDate."""
    raw = request.GET.get("on")
    if raw is None or raw == "":
        return timezone.localdate()
    try:
        if ISO_DAY.fullmatch(raw):
            return date.fromisoformat(raw)
    except ValueError:
        pass
    raise BadChartDate(raw[:40])


def organization_page(request, slug):
    """The organisation, its chart at a date (nested list and SVG), its timeline, identifiers and stories.

    A fixed number of queries however many units, heads and facts there are
    (orgchart.Structure reads them all at once).
    """
    structure = Structure.load()
    organization = structure.by_slug.get(slug)
    if organization is None:
        raise Http404("No such organisation.")
    set_prefetched(organization, "listings", LISTINGS.run(organization=organization.pk))  # the page's and its JSON-LD's
    status, date_error = 200, None
    try:
        day = chart_date(request)
    except BadChartDate as exc:
        day, status = timezone.localdate(), 400
        date_error = f"“{exc}” is not a date. Ask for a day as ?on=YYYY-MM-DD, for example ?on=2021-11-30."
    chart = structure.chart(organization, day)
    ancestors = organization.ancestors(structure.by_pk)
    title = f"{organization.name} on {day:%-d %B %Y}"
    about, page = stories_by_grade(request, "organization_links", organization)
    return render(
        request,
        "articles/organization.html",
        {
            "organization": organization,
            "listings": organization.listings.all(),
            "day": day,
            "is_today": day == timezone.localdate(),
            "date_error": date_error,
            "chart": chart,
            "chart_svg": chart_svg(chart, f"Organisation chart: {title}") if chart.units or chart.heads else None,
            "chart_title": title,
            "parent_then": structure.ancestors_on(organization, day),
            "existed": structure.exists_on(organization.pk, day),
            "timeline": structure.timeline(organization),
            "roles": structure.roles_of(organization.pk),
            "about": about,
            "page": page,
            "breadcrumbs": trail(
                Crumb("Organisations", reverse("articles:organizations")),
                *[Crumb(o.name, o.get_absolute_url()) for o in ancestors],
                Crumb(organization.name, organization.get_absolute_url()),
            ),
        },
        status=status,
    )


def search_page(request):
    query = request.GET.get("q", "").strip()
    page = paginate_search(request, query)
    organizations = search.organizations_named(query) if query and page.number == 1 else []
    return render(
        request,
        "articles/search.html",
        {"query": query, "page": page, "organizations": organizations,
         "breadcrumbs": trail(Crumb("Search", reverse("articles:search")))},
    )


class SearchResults(Paginator):
    """A Paginator whose pages come from the search backend: one count and one page query."""

    def __init__(self, query, per_page):
        self.query = query
        super().__init__([], per_page, allow_empty_first_page=True)

    def page(self, number):
        number = self.validate_number_format(number)
        offset = (number - 1) * self.per_page
        self.total, hits = search.search(self.query, offset, self.per_page) if self.query else (search.ResultCount(0), [])
        self.__dict__["count"] = self.total.reachable  # Paginator.count is a cached_property
        self.validate_number(number)
        return self._get_page(hits, number, self)

    def validate_number_format(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer")
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        return number


def paginate_search(request, query):
    return page_of(request, SearchResults(query, settings.NEWSROOM_PAGE_SIZE))


def corrections_page(request):
    corrections = (
        Correction.objects.filter(article__in=Article.objects.published())
        .select_related("article__category")
        .order_by("-published_at")
    )
    return render(
        request,
        "articles/corrections.html",
        {"page": paginate(request, corrections), "breadcrumbs": trail(Crumb("Corrections", reverse("articles:corrections")))},
    )


def news_sitemap(request):
    return render(
        request,
        "sitemap_news.xml",
        {"articles": sitemaps.news_articles(), "site_name": settings.NEWSROOM_SITE_NAME},
        content_type="application/xml; charset=utf-8",
    )


def robots_txt(request):
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /search/",
        "",
        f"Sitemap: {absolute_url(request, reverse('articles:sitemap'))}",
        f"Sitemap: {absolute_url(request, reverse('articles:news_sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
