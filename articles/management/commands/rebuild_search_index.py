from django.core.management.base import BaseCommand
from django.db import transaction

from articles.models import Article
from articles.search import index_articles

BATCH = 500


class Command(BaseCommand):
    help = "Re-index every article for search (after a restore or a change to the index design)."

    def handle(self, *args, **options):
        ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), BATCH):
            with transaction.atomic():
                index_articles(Article(pk=pk) for pk in ids[start : start + BATCH])
        self.stdout.write(f"indexed {len(ids)} articles")
