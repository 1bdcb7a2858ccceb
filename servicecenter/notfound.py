"""The product's own "not found" page, in the reader's language, wherever a page is missing.

``handler404`` serves it when DEBUG is off. The embedded demo runs with DEBUG on (``runserver``
serves the static files only then), where Django would answer a missing page with its technical
404 (the URL patterns, the settings' hints) instead: ``ProductNotFoundMiddleware`` puts the same
page in its place there. Only Django's technical page is replaced; a 404 a view wrote itself (the
API's JSON, a page's own message) passes through as it is."""

from django.http import HttpResponseNotFound, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

# Both of Django's technical 404 pages (no route, and a view's Http404) say why they are shown.
TECHNICAL = b"<code>DEBUG = True</code>"


def page_not_found(request, exception=None):
    """handler404: JSON for the API, the product's error page otherwise."""
    message = _("There is no such page here. It may have moved, or you may not be allowed to see it.")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "not_found"}, status=404)
    return HttpResponseNotFound(render_to_string("error.html", {"message": message, "status": 404},
                                                 request=request))


class ProductNotFoundMiddleware:
    """With DEBUG on (the embedded demo), Django's technical 404 becomes the product's page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 404 and not getattr(response, "streaming", False) \
                and TECHNICAL in response.content:
            return page_not_found(request)
        return response
