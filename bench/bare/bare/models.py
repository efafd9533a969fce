from django.db import models


class Section(models.Model):
    name = models.CharField(max_length=100)
    path = models.CharField(max_length=200, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return f"/{self.path}/"


class Tag(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(unique=True)


class Person(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)


class Organization(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)


class Article(models.Model):
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=300, unique=True)
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="articles")
    summary = models.TextField(blank=True)
    body = models.TextField()
    byline = models.CharField(max_length=200, blank=True)
    published_at = models.DateTimeField(db_index=True)
    tags = models.ManyToManyField(Tag, related_name="articles")
    people = models.ManyToManyField(Person, related_name="articles")
    organizations = models.ManyToManyField(Organization, related_name="articles")

    class Meta:
        ordering = ["-published_at"]

    def get_absolute_url(self):
        return f"/{self.section.path}/{self.slug}/"
