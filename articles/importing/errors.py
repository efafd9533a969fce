class ImportFailure(Exception):
    """A file that cannot become an article; the message names the reason in plain words."""
