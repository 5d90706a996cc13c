"""Builtin ``{% url %}`` (see settings.TEMPLATES "builtins"): Django's tag,
with each reversed address remembered (issue 18).

``django.urls.reverse`` walks the URLconf's candidates and checks the result
against the pattern's regular expression every time: about 40 µs per tag. A
mentor's caseload or the directory draws the same few patterns for every
row, 30 to 50 tags a page. The memo is keyed by everything ``reverse``
depends on: the URLconf (the request's or ``settings.ROOT_URLCONF``), the
script prefix, the active language, the current app, the view name and the
arguments; only plain arguments (int, str) are remembered, and a URL that
does not reverse is never remembered (the tag raises or, with ``as``, gives
"" as before). Bounded (``MEMO_SIZE`` entries, least recently used out).
Same output as Django's tag (tests/mentoring/test_url_memo.py)."""

import functools

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template import defaulttags
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.translation import get_language

register = template.Library()

MEMO_SIZE = 4096
PLAIN = (int, str)


@functools.lru_cache(maxsize=MEMO_SIZE)
def _reversed(urlconf, prefix, language, current_app, view_name, args, kwargs):
    return reverse(view_name, urlconf=urlconf, args=args, kwargs=dict(kwargs), current_app=current_app)


@receiver(setting_changed)
def _forget(**kwargs):
    """A test that changes settings (a URLconf, a prefix) starts afresh."""
    _reversed.cache_clear()


def reverse_memo(view_name, args, kwargs, current_app):
    """``reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)``, remembered."""
    plain = all(type(arg) in PLAIN for arg in args) and all(type(v) in PLAIN for v in kwargs.values())
    if not plain or not isinstance(view_name, str):
        return reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    key_kwargs = tuple(sorted(kwargs.items()))
    return _reversed(urlconf, get_script_prefix(), get_language(), current_app, view_name, tuple(args), key_kwargs)


class MemoURLNode(defaulttags.URLNode):
    def render(self, context):
        # As django.template.defaulttags.URLNode.render, through reverse_memo.
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            url = reverse_memo(view_name, args, kwargs, current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        if context.autoescape:
            url = conditional_escape(url)
        return url


@register.tag
def url(parser, token):
    node = defaulttags.url(parser, token)
    return MemoURLNode(node.view_name, node.args, node.kwargs, node.asvar)
