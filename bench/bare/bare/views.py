from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from .models import Article, Organization, Person, Section, Tag


def listing(request, articles):
    return Paginator(articles.select_related("section"), 20).get_page(request.GET.get("page"))


def home(request):
    latest = Article.objects.select_related("section")[:12]
    sections = []
    for section in Section.objects.filter(parent=None).order_by("name"):
        teasers = Article.objects.filter(Q(section=section) | Q(section__parent=section)).select_related("section")[:3]
        sections.append((section, teasers))
    return render(request, "bare/home.html", {"latest": latest, "sections": sections})


def section_or_article(request, path):
    section = Section.objects.filter(path=path).first()
    if section:
        articles = Article.objects.filter(Q(section=section) | Q(section__parent=section))
        return render(request, "bare/section.html", {"section": section, "page": listing(request, articles)})
    section_path, _, slug = path.rpartition("/")
    article = get_object_or_404(Article.objects.select_related("section"), slug=slug, section__path=section_path)
    related = Article.objects.filter(section=article.section).exclude(pk=article.pk).select_related("section")[:4]
    return render(request, "bare/article.html", {"article": article, "related": related})


def tag(request, slug):
    tag = get_object_or_404(Tag, slug=slug)
    return render(request, "bare/list.html", {"title": tag.name, "page": listing(request, tag.articles.all())})


def person(request, slug):
    person = get_object_or_404(Person, slug=slug)
    return render(request, "bare/list.html", {"title": person.name, "page": listing(request, person.articles.all())})


def organization(request, slug):
    organization = get_object_or_404(Organization, slug=slug)
    page = listing(request, organization.articles.all())
    return render(request, "bare/list.html", {"title": organization.name, "page": page})
