from django import forms
from django.contrib import admin, messages
from django.shortcuts import render

from ppp.admin import ChangelistAtScale

from .models import IssuedCertificate
from .services import CertificateError, certificate_revoke


class RevokeForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Shown to anyone who checks it.")


@admin.register(IssuedCertificate)
class IssuedCertificateAdmin(ChangelistAtScale, admin.ModelAdmin):
    """Certificates are issued by the award, charter and training services; here
    officers find and revoke them."""

    list_display = ["code", "kind", "holder", "title", "level", "valid_from", "valid_until", "issued_at", "revoked_at"]
    list_filter = ["kind", ("issued_at", admin.DateFieldListFilter), ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["code", "holder", "organisation__name"]
    list_select_related = ["organisation"]
    readonly_fields = [f.name for f in IssuedCertificate._meta.fields if f.name != "id"]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Revoke the selected certificates (asks for the reason)")
    def revoke(self, request, queryset):
        form = RevokeForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            for certificate in queryset:
                try:
                    certificate_revoke(certificate=certificate, reason=form.cleaned_data["reason"], by=request.user)
                    self.message_user(request, f"Revoked {certificate.code}.", messages.SUCCESS)
                except CertificateError as error:
                    self.message_user(request, f"{certificate.code}: {error}", messages.WARNING)
            return None
        return render(
            request,
            "admin/certificates/revoke.html",
            {**self.admin_site.each_context(request), "form": form, "certificates": queryset, "title": "Revoke"},
        )
