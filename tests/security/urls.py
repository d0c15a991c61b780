"""Every URL pattern of the project, with its full name and whether it takes arguments."""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern


@dataclass(frozen=True)
class Pattern:
    name: str
    route: str
    takes_arguments: bool


def _has_arguments(pattern) -> bool:
    if isinstance(pattern, RoutePattern):
        return bool(pattern.converters)
    if isinstance(pattern, RegexPattern):
        return pattern.regex.groups > 0
    return False


def all_patterns(resolver=None, namespace="", prefix="", inherited=False):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        takes = inherited or _has_arguments(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from all_patterns(entry, ns, route, takes)
        elif isinstance(entry, URLPattern):
            yield Pattern(name=f"{namespace}{entry.name or '<unnamed>'}", route=route, takes_arguments=takes)
