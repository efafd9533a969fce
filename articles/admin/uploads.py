"""The import page's uploads: bounded in size before anything is kept, then handed over as import sources."""

from pathlib import Path

from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from ..importing import Source


def uploaded_sources(uploads):
    """The uploads as import sources, in name order as a folder's files are, named as the editor's files were."""
    names = {}
    for number, upload in enumerate(uploads):
        name = Path(upload.name).name or f"upload-{number}.txt"
        names[name if name not in names else f"{number}-{name}"] = upload
    return [Source(name, name, data=names[name].read()) for name in sorted(names)]


class UploadLimit(FileUploadHandler):
    """Stops reading an upload once its files together pass ``limit`` bytes, before any of it is kept.

    First in the request's handler chain, it hands each chunk on to Django's
    own handlers until the limit is passed. The form fields before the files
    (the CSRF token among them) are kept, the rest of the body is read and
    dropped, and the form says why.
    """

    def __init__(self, limit):
        super().__init__()
        self.limit = limit
        self.received = 0
        self.announced = 0
        self.stopped = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.announced = content_length or 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit or self.announced > self.limit + 64 * 1024:
            self.stopped = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None

    def exceeded(self, request):
        if request.method == "POST":
            request.FILES  # parse the body now, through this handler
        return self.stopped

    def message(self):
        size = max(self.received, self.announced)
        return (f"The upload is {size / 1_048_576:.1f} MB or more; the files together may be at most "
                f"{self.limit / 1_048_576:.0f} MB. Import them in smaller groups.")
