"""Django REST framework + drf-spectacular against django-ninja for the read API: the same 20-item list.

    .venv/bin/pip install -e ".[bench]"     # DRF and drf-spectacular, for this comparison only
    .venv/bin/python bench/api_choice.py [--rounds 300]

Builds a throwaway SQLite database with 200 published articles (tags, a
two-level section), then in one process and through a RequestFactory (no
middleware, no page cache, the same queryset and the same keyset/cursor
order) times:

* ninja: the API's own operation, /api/v1/articles/?limit=20 (articles/api/);
* DRF, the usual way: a ModelSerializer with nested serializers and DRF's
  CursorPagination (tags read with the same single query as the API);
* DRF with the API's own dict builder (articles/representation.py) in a plain
  APIView, to separate DRF's serializers from DRF's request handling.

Then it generates each library's OpenAPI document, validates both with
openapi-spec-validator and counts what they document. Prints milliseconds per
request (median of rounds, after a warm-up), the ratios to ninja, and the
schema figures.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup():
    folder = tempfile.mkdtemp(prefix="api-choice-")
    os.environ.update(NEWSROOM_DATA_DIR=folder, DJANGO_SETTINGS_MODULE="newsroom.settings", NEWSROOM_LOG_LEVEL="WARNING")
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.utils import timezone

    from articles.models import Article, Category

    top = Category.objects.create(name="Business")
    section = Category.objects.create(name="E-commerce", parent=top)
    now = timezone.now()
    for i in range(200):
        article = Article.objects.create(
            title=f"Market report {i}", standfirst=f"Summary {i}.", body=f"<p>Body {i}.</p>" * 20,
            category=section, status=Article.Status.PUBLISHED, publish_at=now - timezone.timedelta(minutes=i),
            byline="Bench desk")
        article.tags.add("alibaba", f"report {i % 10}")


def drf_views():
    from drf_spectacular.openapi import AutoSchema
    from rest_framework import serializers
    from rest_framework.pagination import CursorPagination
    from rest_framework.renderers import JSONRenderer
    from rest_framework.response import Response
    from rest_framework.views import APIView
    from rest_framework.generics import ListAPIView

    from articles import representation
    from articles.models import Article, Category
    from articles.origin import site_origin

    class CategorySerializer(serializers.ModelSerializer):
        class Meta:
            model = Category
            fields = ["path", "name", "full_name"]

    class TagSerializer(serializers.Serializer):
        slug = serializers.CharField()
        name = serializers.CharField()

    class ArticleSerializer(serializers.ModelSerializer):
        url = serializers.SerializerMethodField()
        canonical_url = serializers.SerializerMethodField()
        category = CategorySerializer()
        tags = serializers.SerializerMethodField()
        published_at = serializers.DateTimeField(source="publish_at")
        lead_image = serializers.SerializerMethodField()

        class Meta:
            model = Article
            fields = ["id", "url", "canonical_url", "title", "standfirst", "byline", "language", "category", "tags",
                      "published_at", "updated_at", "lead_image"]

        def get_url(self, obj) -> str:
            return self.context["origin"] + f"/api/v1/articles/{obj.pk}/"

        def get_canonical_url(self, obj) -> str:
            return self.context["origin"] + obj.get_absolute_url()

        def get_tags(self, obj) -> list[dict]:
            return TagSerializer(obj.api_tags, many=True).data  # the same one tag query as the API

        def get_lead_image(self, obj) -> dict | None:
            return representation.lead_image(obj, self.context["origin"])

    class Newest(CursorPagination):
        page_size = 20
        ordering = ("-publish_at", "-id")

    class SerializerList(ListAPIView):
        authentication_classes, permission_classes, renderer_classes = [], [], [JSONRenderer]
        serializer_class = ArticleSerializer
        pagination_class = Newest
        schema = AutoSchema()

        def get_queryset(self):
            return (Article.objects.published().select_related("category")
                    .defer("body", "quality_flags", "source_checksum", "pending_changes"))

        def paginate_queryset(self, queryset):
            return representation.with_tags(super().paginate_queryset(queryset))

        def get_serializer_context(self):
            return {**super().get_serializer_context(), "origin": site_origin(self.request)}

    class DictList(APIView):
        authentication_classes, permission_classes, renderer_classes = [], [], [JSONRenderer]

        def get(self, request):
            origin = site_origin(request)
            rows = list(Article.objects.published().select_related("category")
                        .defer("body", "quality_flags", "source_checksum", "pending_changes")
                        .order_by("-publish_at", "-pk")[:21])
            rows = representation.with_tags(rows[:20])
            return Response({"results": [representation.article_summary(a, origin) for a in rows], "next": None})

    return SerializerList, DictList


def timed(calls, rounds):
    """Median milliseconds of each call; the calls take turns within each round, so a busy moment on a
    shared machine slows them all alike."""
    for call in calls.values():
        for _ in range(20):
            call()
    samples = {label: [] for label in calls}
    for _ in range(rounds):
        for label, call in calls.items():
            started = time.perf_counter()
            response = call()
            samples[label].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
    return {label: statistics.median(values) for label, values in samples.items()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=300)
    rounds = parser.parse_args().rounds
    setup()
    import json

    from django.test import RequestFactory
    from django.urls import path, resolve
    from openapi_spec_validator import validate

    factory = RequestFactory()
    SerializerList, DictList = drf_views()
    ninja_view = resolve("/api/v1/articles/").func
    drf_serializer_view, drf_dict_view = SerializerList.as_view(), DictList.as_view()

    def ninja():
        return ninja_view(factory.get("/api/v1/articles/", {"limit": "20"}))

    def drf_serializer():
        response = drf_serializer_view(factory.get("/drf/articles/"))
        response.render()
        return response

    def drf_dicts():
        response = drf_dict_view(factory.get("/drf/articles/"))
        response.render()
        return response

    assert len(json.loads(ninja().content)["results"]) == 20
    assert len(json.loads(drf_serializer().content)["results"]) == 20
    results = timed({"django-ninja (the API)": ninja, "DRF ModelSerializer + CursorPagination": drf_serializer,
                     "DRF APIView + the API's dict builder": drf_dicts}, rounds)
    base = results["django-ninja (the API)"]
    print(f"20-item article list, median of {rounds} requests in one process (RequestFactory, no middleware):")
    for label, ms in results.items():
        print(f"  {label:40} {ms:6.2f} ms   {ms / base:4.2f}x")

    from articles.api.endpoints import api
    from drf_spectacular.generators import SchemaGenerator

    ninja_schema = json.loads(json.dumps(api.get_openapi_schema()))  # status codes as JSON keys, as served
    drf_schema = SchemaGenerator(patterns=[path("drf/articles/", drf_serializer_view)]).get_schema(request=None, public=True)
    drf_schema = json.loads(json.dumps(drf_schema, default=str))
    for label, schema in (("ninja", ninja_schema), ("drf-spectacular", drf_schema)):
        validate(schema)
        operation = schema["paths"][next(p for p in schema["paths"] if "articles" in p)]["get"]
        print(f"OpenAPI from {label}: valid; {len(schema.get('components', {}).get('schemas', {}))} component schemas, "
              f"article list parameters: {sorted(p['name'] for p in operation.get('parameters', []))}")


if __name__ == "__main__":
    main()
