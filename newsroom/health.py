from django.db import DatabaseError, connections
from django.http import JsonResponse


def healthz(request):
    """200 when the database answers, 503 otherwise. Never cached; touches no page cache."""
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        response = JsonResponse({"status": "unavailable", "database": type(exc).__name__}, status=503)
    else:
        response = JsonResponse({"status": "ok"})
    response["Cache-Control"] = "no-store"
    return response
