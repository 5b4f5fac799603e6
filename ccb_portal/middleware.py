from django.utils.cache import patch_vary_headers


def vary_on_language_cookie(get_response):
    """The language cookie changes the page as much as Accept-Language does: tell caches so.

    LocaleMiddleware adds only `Vary: Accept-Language`; without `Cookie` a CDN
    would serve one visitor's language to everyone.
    """

    def middleware(request):
        response = get_response(request)
        patch_vary_headers(response, ("Cookie",))
        return response

    return middleware
