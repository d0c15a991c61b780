"""ppp.discovery.AppRegistry: each app's module is looked for once, not on every request."""

from django.utils import module_loading

from ppp import discovery


def test_the_apps_modules_are_looked_for_once(monkeypatch):
    calls = []
    real = module_loading.autodiscover_modules
    monkeypatch.setattr(discovery, "autodiscover_modules", lambda *names: calls.append(names) or real(*names))
    registry = discovery.AppRegistry("selectors")
    first = registry.all()
    assert registry.all() == first and calls == [("selectors",)]
    assert {label for label, _function in first} == set()  # nothing registered on this new registry


def test_a_function_registered_later_is_still_found():
    registry = discovery.AppRegistry("selectors")
    assert registry.all() == []

    def source(organisation_ids):
        return {}

    source.__module__ = "surveys.selectors"
    registry.register(source)
    assert registry.all() == [("surveys", source)]
