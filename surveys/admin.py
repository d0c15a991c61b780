"""The officers' admin for the question sets: drafts are edited here; a published set is
read-only, and "Make a new draft version" / "Publish" call the services. Rounds, answers
and tallies belong to schools and are in no admin (officers see the protected figures on
the council page)."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from . import services
from .models import Question, QuestionSet


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["position", "code", "text", "kind", "choices", "positive"]

    def _published(self, obj) -> bool:
        return obj is not None and obj.is_published

    def get_readonly_fields(self, request, obj=None):
        return self.fields if self._published(obj) else []

    def has_add_permission(self, request, obj=None):
        return not self._published(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return not self._published(obj) and super().has_delete_permission(request, obj)


@admin.register(QuestionSet)
class QuestionSetAdmin(admin.ModelAdmin):
    list_display = ["title", "audience", "version", "status", "published_at"]
    list_filter = ["audience", "status"]
    inlines = [QuestionInline]
    actions = ["make_draft", "publish"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_published:
            return ["audience", "version", "title", "faces", "status", "published_at"]
        return ["status", "published_at"]

    def has_delete_permission(self, request, obj=None):
        return not (obj is not None and obj.is_published) and super().has_delete_permission(request, obj)

    @admin.action(description="Make a new draft version")
    def make_draft(self, request, queryset):
        for question_set in queryset:
            draft = services.question_set_new_draft(question_set=question_set, by=request.user)
            messages.success(request, f"{draft} is ready to edit.")

    @admin.action(description="Publish")
    def publish(self, request, queryset):
        for question_set in queryset:
            try:
                services.question_set_publish(question_set=question_set, by=request.user)
            except (services.SurveyError, ValidationError) as error:
                messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            else:
                messages.success(request, f"{question_set} is published.")
