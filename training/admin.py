"""The officers' admin for training: courses and sessions are edited here; places,
charges and certificates change only through the services (actions call them)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q

from ppp.admin import ChangelistAtScale, LabelledListEditable

from . import services
from .models import (
    Audience,
    Booking,
    BookingEvent,
    CertificateBatch,
    Charge,
    ChargeEvent,
    Course,
    CourseSession,
    SessionEvent,
    TrainingAccount,
)


@admin.register(Audience)
class AudienceAdmin(LabelledListEditable, admin.ModelAdmin):
    list_display = ["name", "code", "order"]
    list_editable = ["order"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "delivery", "duration", "price_traded", "price_standard", "is_active", "order"]
    list_filter = ["is_active", "delivery", "audiences"]
    search_fields = ["title", "summary"]
    filter_horizontal = ["audiences"]
    prepopulated_fields = {"slug": ["title"]}
    fieldsets = [
        (None, {"fields": ["title", "slug", "summary", "description", "audiences", "is_active", "order"]}),
        ("Delivery and price", {"fields": ["duration", "delivery", "price_traded", "price_standard"]}),
        ("Before and after", {"fields": ["prerequisites", "learning_outcomes"]}),
    ]

    def has_delete_permission(self, request, obj=None):
        # Courses with sessions keep their history: hide them from the catalogue instead.
        return False if obj is not None and obj.sessions.exists() else super().has_delete_permission(request, obj)


class SessionAdminForm(forms.ModelForm):
    class Meta:
        model = CourseSession
        fields = list(services.SESSION_FIELDS)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        # An end before the start, a deadline after it, a minimum above the capacity: the
        # model's constraints say these once, in words (their violation_error_message),
        # when Django checks them after this. What no constraint covers is checked here.
        if cleaned.get("mode") == CourseSession.Mode.ONLINE and not cleaned.get("joining_link"):
            raise ValidationError({"joining_link": "Enter the joining link for an online session."})
        if self.instance.pk and "capacity" in cleaned:
            confirmed = self.instance.bookings.confirmed().count()
            if cleaned["capacity"] < confirmed:
                raise ValidationError({"capacity": f"Capacity cannot be less than the {confirmed} places confirmed."})
        return cleaned


class SessionEventInline(admin.TabularInline):
    model = SessionEvent
    extra = 0
    can_delete = False
    fields = ["at", "action", "from_status", "to_status", "by", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CourseSession)
class CourseSessionAdmin(ChangelistAtScale, admin.ModelAdmin):
    form = SessionAdminForm
    list_display = ["course", "starts_at", "mode", "venue", "capacity", "confirmed", "waitlisted", "status"]
    list_filter = ["status", "mode", "course", ("starts_at", admin.DateFieldListFilter)]
    list_select_related = ["course"]
    search_fields = ["course__title", "venue", "trainer"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["course"]
    inlines = [SessionEventInline]
    actions = ["cancel_sessions"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_confirmed=Count("bookings", filter=Q(bookings__status=Booking.Status.CONFIRMED)),
                n_waitlisted=Count("bookings", filter=Q(bookings__status=Booking.Status.WAITLISTED)),
            )
        )

    @admin.display(ordering="n_confirmed")
    def confirmed(self, obj):
        return obj.n_confirmed

    @admin.display(ordering="n_waitlisted", description="waiting")
    def waitlisted(self, obj):
        return obj.n_waitlisted

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in services.SESSION_FIELDS if name in form.cleaned_data}
        try:
            if change:
                saved = services.session_update(session=obj, by=request.user, request=request, **fields)
            else:
                saved = services.session_create(by=request.user, **fields)
        except services.TrainingError as error:
            # Raised after the form validated (a booking arrived meanwhile): say so, change nothing.
            self.message_user(request, f"Not saved: {error}", messages.ERROR)
            return
        obj.pk, obj.public_id = saved.pk, saved.public_id

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Cancel the selected sessions and email everyone booked")
    def cancel_sessions(self, request, queryset):
        done = 0
        for session in queryset:
            try:
                services.session_cancel(
                    session=session, by=request.user, reason="Cancelled by the council.", request=request
                )
                done += 1
            except services.TrainingError as error:
                self.message_user(request, f"{session}: {error}", messages.ERROR)
        if done:
            self.message_user(request, f"{done} session(s) cancelled.", messages.SUCCESS)


class BookingEventInline(admin.TabularInline):
    model = BookingEvent
    extra = 0
    can_delete = False
    fields = ["at", "action", "from_status", "to_status", "by", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Booking)
class BookingAdmin(ChangelistAtScale, admin.ModelAdmin):
    list_display = ["attendee_name", "organisation", "session", "status", "attendance", "price", "created_at"]
    list_filter = ["status", "attendance", "late_cancellation", "attendee_role", "session__course"]
    list_select_related = ["organisation", "session__course"]
    search_fields = ["attendee_name", "attendee_email", "organisation__name"]
    readonly_fields = [
        "session",
        "organisation",
        "attendee_name",
        "attendee_email",
        "attendee_role",
        "booked_by",
        "status",
        "attendance",
        "price",
        "late_cancellation",
        "created_at",
        "cancelled_at",
    ]
    inlines = [BookingEventInline]
    actions = ["cancel_places"]

    def has_add_permission(self, request):
        return False  # schools book on the site; officers see and cancel here

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Cancel the selected places (the waiting list moves up)")
    def cancel_places(self, request, queryset):
        for booking in queryset.select_related("session"):
            try:
                services.booking_cancel(booking=booking, by=request.user, reason="Cancelled by the council.")
            except services.TrainingError as error:
                self.message_user(request, f"{booking}: {error}", messages.ERROR)


@admin.register(TrainingAccount)
class TrainingAccountAdmin(LabelledListEditable, admin.ModelAdmin):
    list_display = ["organisation", "buys_traded_services", "finance_contact", "updated_at"]
    list_filter = ["buys_traded_services"]
    list_editable = ["buys_traded_services"]
    search_fields = ["organisation__name", "organisation__urn"]
    autocomplete_fields = ["organisation"]
    list_select_related = ["organisation"]


class ChargeEventInline(BookingEventInline):
    model = ChargeEvent


@admin.register(Charge)
class ChargeAdmin(ChangelistAtScale, admin.ModelAdmin):
    list_display = ["organisation", "session", "places", "no_shows", "late_cancellations", "amount", "status"]
    list_filter = ["status", "session__course"]
    list_select_related = ["organisation", "session__course"]
    search_fields = ["organisation__name", "invoice_reference"]
    readonly_fields = [
        "organisation",
        "session",
        "places",
        "no_shows",
        "late_cancellations",
        "amount",
        "status",
        "created_at",
    ]
    fields = [*readonly_fields, "invoice_reference"]
    inlines = [ChargeEventInline]
    actions = ["mark_invoiced", "mark_paid"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _mark(self, request, queryset, status):
        for charge in queryset:
            try:
                services.charge_mark(charge=charge, status=status, by=request.user, request=request)
            except services.TrainingError as error:
                self.message_user(request, f"{charge}: {error}", messages.ERROR)

    @admin.action(description="Mark as invoiced")
    def mark_invoiced(self, request, queryset):
        self._mark(request, queryset, Charge.Status.INVOICED)

    @admin.action(description="Mark as paid")
    def mark_paid(self, request, queryset):
        self._mark(request, queryset, Charge.Status.PAID)


@admin.register(CertificateBatch)
class CertificateBatchAdmin(admin.ModelAdmin):
    list_display = ["session", "status", "total", "issued", "already_issued", "attempts", "created_at", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["session__course"]
    readonly_fields = [f.name for f in CertificateBatch._meta.fields]
    actions = ["carry_on", "cancel"]

    def _act(self, request, queryset, action, done: str):
        from .services import TrainingError

        count = 0
        for batch in queryset.select_related("session"):
            try:
                action(batch=batch, by=request.user, request=request)
            except TrainingError as error:
                self.message_user(request, f"{batch}: {error}", level=messages.ERROR)
            else:
                count += 1
        if count:
            self.message_user(request, done.format(count=count), level=messages.SUCCESS)

    @admin.action(description="Carry on issuing (failed, cancelled or stuck batches)", permissions=["view"])
    def carry_on(self, request, queryset):
        from .services import certificates_batch_retry

        self._act(request, queryset, certificates_batch_retry, "{count} batches started again.")

    @admin.action(description="Cancel (batches under way)", permissions=["view"])
    def cancel(self, request, queryset):
        from .services import certificates_batch_cancel

        self._act(request, queryset, certificates_batch_cancel, "{count} batches cancelled.")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
