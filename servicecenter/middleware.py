"""Requests the database could not store: a NUL character in any text.

PostgreSQL text cannot hold U+0000, so a NUL that reached a query would fail there as a 500. It is
refused here, once, for every form field, query parameter and JSON body, with a 400 and a reason.
File uploads are checked where they are read (``calls.imports.call_import_create``).
"""

from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _


def _has_nul(request) -> bool:
    if any("\x00" in value for values in request.GET.lists() for value in values[1]):
        return True
    content_type = request.content_type or ""
    if request.method in ("POST", "PUT", "PATCH"):
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return any("\x00" in value for _key, values in request.POST.lists() for value in values)
        if content_type.endswith("json"):
            body = request.body
            return b"\\u0000" in body or b"\x00" in body
    return False


class RejectNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            message = _("Text may not contain the NUL character.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "code": "nul_character"}, status=400)
            return HttpResponseBadRequest(message)
        return self.get_response(request)
