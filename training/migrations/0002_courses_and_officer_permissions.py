from decimal import Decimal

from django.db import migrations

from ppp.accounts.permissions import grant_officer_permissions

CODENAMES = [
    "add_audience",
    "change_audience",
    "view_audience",
    "add_course",
    "change_course",
    "view_course",
    "add_coursesession",
    "change_coursesession",
    "view_coursesession",
    "view_booking",
    "change_booking",
    "view_bookingevent",
    "view_sessionevent",
    "add_trainingaccount",
    "change_trainingaccount",
    "view_trainingaccount",
    "view_charge",
    "change_charge",
    "view_chargeevent",
    "view_certificatebatch",
]


def load(apps, schema_editor):
    from training.course_content import AUDIENCES, COURSES

    Audience = apps.get_model("training", "Audience")
    Course = apps.get_model("training", "Course")
    audiences = {}
    for order, (code, name) in enumerate(AUDIENCES):
        audiences[code], _ = Audience.objects.get_or_create(code=code, defaults={"name": name, "order": order})
    for order, row in enumerate(COURSES):
        slug, title, summary, description, who, duration, delivery, traded, standard, prerequisites, outcomes = row
        course, created = Course.objects.get_or_create(
            slug=slug,
            defaults={
                "title": title,
                "summary": summary,
                "description": description,
                "duration": duration,
                "delivery": delivery,
                "price_traded": Decimal(traded),
                "price_standard": Decimal(standard),
                "prerequisites": prerequisites,
                "learning_outcomes": outcomes,
                "order": order,
            },
        )
        if created:
            course.audiences.set([audiences[code] for code in who])
    grant_officer_permissions(apps, {"training": CODENAMES})


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0001_initial"),
        ("accounts", "0002_council_officers_group"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
