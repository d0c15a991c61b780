"""What each app offers the platform in a module of an agreed name, found with Django's
`autodiscover_modules` (as the admin finds `admin.py`):

- `<app>/reminders.py` registers `collect(today)` with `reminder_sources` (send_reminders);
- `<app>/demo.py` registers `seed(demo)` with `demo_seeders` (seed_demo).

    from ppp.discovery import reminder_sources

    @reminder_sources.register
    def collect(today): ...
"""

from collections.abc import Callable

from django.apps import apps
from django.utils.module_loading import autodiscover_modules


class AppRegistry:
    """Functions the apps register from their `<app>/<module_name>.py`. The modules are
    imported the first time the registry is asked (as the admin imports every `admin.py`
    once at start-up): looking for them again on each call tried to import the module from
    every installed app, about 30 failed imports a call, on every register page, home page
    and search. What is found is code, not data: nothing the database holds is kept."""

    def __init__(self, module_name: str):
        self.module_name = module_name
        self._functions: dict[str, Callable] = {}
        self._discovered = False

    def register(self, function: Callable) -> Callable:
        config = apps.get_containing_app_config(function.__module__)
        if config is None:
            raise LookupError(f"{function.__module__} is not part of an installed app.")
        self._functions[config.label] = function
        return function

    def all(self) -> list[tuple[str, Callable]]:
        """(app label, function) for every app that has the module, in INSTALLED_APPS order."""
        if not self._discovered:
            autodiscover_modules(self.module_name)
            self._discovered = True
        order = [config.label for config in apps.get_app_configs()]
        return sorted(self._functions.items(), key=lambda item: order.index(item[0]))


reminder_sources = AppRegistry("reminders")
demo_seeders = AppRegistry("demo")
