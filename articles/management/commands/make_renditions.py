from django.core.management.base import BaseCommand

from articles import library
from articles.models import Image


class Command(BaseCommand):
    help = ("Make the media library's renditions: those images lack (the fixed-ratio crops of images moved into "
            "the library by an upgrade), or with --all every image's again.")

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Remake every image's renditions, not only missing ones.")

    def handle(self, *args, **options):
        made = failed = 0
        for image in Image.objects.order_by("pk").iterator():
            if not options["all"] and image.renditions.get("crops"):
                continue
            try:
                library.remake_renditions(image)
            except (OSError, ValueError) as error:
                failed += 1
                self.stderr.write(f"Image {image.pk} ({image.file.name}): {error}")
                continue
            made += 1
        self.stdout.write(f"Renditions made for {made} image{'s' if made != 1 else ''}; {failed} failed.")
