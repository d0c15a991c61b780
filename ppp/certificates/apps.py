from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "ppp.certificates"
    label = "certificates"
    verbose_name = "Certificates"
