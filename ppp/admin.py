"""Admin pieces shared by the apps."""


class FrozenParentInline:
    """An inline whose rows cannot be added, changed or deleted once the parent is frozen
    (a published charter or scheme: it is what organisations signed or answered).
    Subclasses say when: `frozen(parent) -> bool`."""

    def frozen(self, parent) -> bool:
        raise NotImplementedError

    def has_add_permission(self, request, obj=None):
        return not (obj is not None and self.frozen(obj)) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not (obj is not None and self.frozen(obj)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not (obj is not None and self.frozen(obj)) and super().has_delete_permission(request, obj)
