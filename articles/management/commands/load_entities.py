from django.core.management.base import BaseCommand

from articles.entities import ENTITIES_FILE, load_entities
from articles.models import Organization, OrganizationAlias, Person, PersonAlias, Role


class Command(BaseCommand):
    help = "Create or update the shipped people and organisations (articles/data/entities.json)."

    def add_arguments(self, parser):
        parser.add_argument("--file", default=ENTITIES_FILE, help="an entities JSON file in the same shape")

    def handle(self, *args, **options):
        people, organizations = load_entities(Person, PersonAlias, Organization, OrganizationAlias, Role, options["file"])
        self.stdout.write(f"{people} people and {organizations} organisations loaded")
