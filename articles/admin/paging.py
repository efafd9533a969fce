"""The article list's pages: ids first, from an index, then the page's rows by primary key.

An admin page deep in a 100,000-article list (``?p=500``) otherwise makes the
database step over every earlier row, whole, long bodies included; here the
skipped rows are index entries only, and just the rows shown are read.
"""

from django.core.paginator import Paginator


class IdsFirstPaginator(Paginator):
    """``related``: the select_related() of the rows shown (the list's ``list_select_related``)."""

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, related=()):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.related = related

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = list(self.object_list.values_list("pk", flat=True)[bottom : bottom + self.per_page])
        # The rows by primary key alone: the list's filters have done their work.
        by_id = self.object_list.model._default_manager.select_related(*self.related).in_bulk(ids)
        return self._get_page([by_id[pk] for pk in ids if pk in by_id], number, self)
