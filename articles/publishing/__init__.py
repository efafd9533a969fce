"""Publishing: who may change what readers see, and the services that change it.

Every path that writes an article or the category tree (the admin's forms,
actions and revision views, the import page, ``import_articles --user``,
pending changes) asks ``rules`` before it writes, so the rule lives here once.
"""
