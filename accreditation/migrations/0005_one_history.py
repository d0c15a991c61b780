"""One history mechanism (ppp.history.HistoryEntry) for the award.

- StatusChange becomes ApplicationEvent, with an action for every existing row;
- EvidenceEvent gains from/to status, its comment becomes the note, `by` may be empty;
- visits and awards get real history tables: every visit's offered/booked/recorded/
  cancelled steps and each line of the old `Visit.changes` text become VisitEvent rows,
  and every award's making, ratifying, issuing, superseding or expiry becomes AwardEvent
  rows. No existing row is lost; `Visit.changes` goes once its lines are rows.
"""

import datetime
import re

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

EVIDENCE_STATUS_AFTER = {
    "created": "draft",
    "carried_forward": "draft",
    "submitted": "submitted",
    "accepted": "accepted",
    "changes_requested": "changes_requested",
    "responded": "changes_requested",
}
MOVED_LINE = re.compile(r"^(?P<day>\d{1,2} \w{3} \d{4}): ")


def application_action(change) -> str:
    to, frm = change.to_status, change.from_status
    if to == "evidencing":
        return "returned" if frm == "assessment" else "plan_agreed"
    if to == "assessment":
        return "submitted"
    return to if to in {"applied", "planning", "accredited", "withdrawn", "expired"} else "applied"


def forwards(apps, schema_editor):
    ApplicationEvent = apps.get_model("accreditation", "ApplicationEvent")
    for event in ApplicationEvent.objects.all().iterator():
        ApplicationEvent.objects.filter(pk=event.pk).update(action=application_action(event))

    EvidenceEvent = apps.get_model("accreditation", "EvidenceEvent")
    for action, status in EVIDENCE_STATUS_AFTER.items():
        EvidenceEvent.objects.filter(action=action).update(to_status=status)
    visits_forwards(apps)
    awards_forwards(apps)


def visits_forwards(apps):
    Visit = apps.get_model("accreditation", "Visit")
    VisitEvent = apps.get_model("accreditation", "VisitEvent")
    events = []
    for visit in Visit.objects.all().iterator():
        start = visit.created_at
        if visit.preferred_1:
            events.append(VisitEvent(visit=visit, action="requested", to_status="requested", at=start))
        if visit.status in ("scheduled", "completed") or (visit.status == "cancelled" and visit.starts_at):
            events.append(
                VisitEvent(
                    visit=visit, action="confirmed" if visit.preferred_1 else "booked", to_status="scheduled", at=start
                )
            )
        for line in filter(None, (line.strip() for line in visit.changes.splitlines())):
            match = MOVED_LINE.match(line)
            at = start
            if match:
                day = datetime.datetime.strptime(match["day"], "%d %b %Y").replace(tzinfo=datetime.UTC)
                at = day.replace(hour=12)
            events.append(VisitEvent(visit=visit, action="moved", to_status="scheduled", at=at, note=line))
        if visit.status == "completed":
            events.append(
                VisitEvent(visit=visit, action="recorded", to_status="completed", at=visit.completed_at or start)
            )
        if visit.status == "cancelled":
            events.append(
                VisitEvent(
                    visit=visit, action="cancelled", to_status="cancelled", at=start, note=visit.cancelled_reason
                )
            )
    VisitEvent.objects.bulk_create(events, batch_size=1000)


def awards_forwards(apps):
    Award = apps.get_model("accreditation", "Award")
    AwardEvent = apps.get_model("accreditation", "AwardEvent")
    events = []
    for award in Award.objects.all().iterator():
        made = datetime.datetime.combine(award.awarded_on, datetime.time(12), tzinfo=datetime.UTC)
        events.append(
            AwardEvent(
                award=award, action="made", to_status="awaiting_ratification", by_id=award.awarded_by_id, at=made
            )
        )
        if award.ratified_at:
            events.append(
                AwardEvent(
                    award=award, action="ratified", to_status="issued", by_id=award.ratified_by_id, at=award.ratified_at
                )
            )
        if award.status in ("issued", "superseded", "expired"):
            events.append(AwardEvent(award=award, action="issued", to_status="issued", at=award.ratified_at or made))
        if award.status in ("superseded", "expired"):
            ended = datetime.datetime.combine(
                min(award.expires_on, django.utils.timezone.localdate()), datetime.time(0), tzinfo=datetime.UTC
            )
            events.append(
                AwardEvent(award=award, action=award.status, from_status="issued", to_status=award.status, at=ended)
            )
    AwardEvent.objects.bulk_create(events, batch_size=1000)


def backwards(apps, schema_editor):
    """Put the visits' moves back into their text, newest last."""
    Visit = apps.get_model("accreditation", "Visit")
    VisitEvent = apps.get_model("accreditation", "VisitEvent")
    for visit in Visit.objects.all().iterator():
        lines = (
            VisitEvent.objects.filter(visit=visit, action="moved").order_by("at", "pk").values_list("note", flat=True)
        )
        if lines:
            Visit.objects.filter(pk=visit.pk).update(changes="\n".join(lines) + "\n")


class Migration(migrations.Migration):
    dependencies = [
        ("accreditation", "0004_award_superseded"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Applications: StatusChange becomes ApplicationEvent.
        migrations.RenameModel("StatusChange", "ApplicationEvent"),
        migrations.AddField(
            model_name="applicationevent",
            name="action",
            field=models.CharField(default="applied", max_length=40),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="applicationevent",
            name="application",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="history", to="accreditation.application"
            ),
        ),
        migrations.AlterField(
            model_name="applicationevent", name="from_status", field=models.CharField(blank=True, max_length=30)
        ),
        migrations.AlterField(
            model_name="applicationevent", name="to_status", field=models.CharField(blank=True, max_length=30)
        ),
        # Evidence: onto the shared shape.
        migrations.RenameField(model_name="evidenceevent", old_name="comment", new_name="note"),
        migrations.AddField(
            model_name="evidenceevent", name="from_status", field=models.CharField(blank=True, max_length=30)
        ),
        migrations.AddField(
            model_name="evidenceevent", name="to_status", field=models.CharField(blank=True, max_length=30)
        ),
        migrations.AlterField(
            model_name="evidenceevent",
            name="by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="evidenceevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("created", "Added"),
                    ("edited", "Changed"),
                    ("submitted", "Submitted"),
                    ("accepted", "Accepted"),
                    ("changes_requested", "Changes requested"),
                    ("responded", "School responded"),
                    ("carried_forward", "Carried forward from the previous award"),
                ],
                max_length=40,
            ),
        ),
        # Visits and awards: new history tables.
        migrations.CreateModel(
            name="VisitEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("from_status", models.CharField(blank=True, max_length=30)),
                ("to_status", models.CharField(blank=True, max_length=30)),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
                ("note", models.TextField(blank=True)),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("requested", "Dates offered by the school"),
                            ("booked", "Booked"),
                            ("confirmed", "Date confirmed"),
                            ("moved", "Moved"),
                            ("recorded", "Visit recorded"),
                            ("cancelled", "Cancelled"),
                        ],
                        max_length=40,
                    ),
                ),
                (
                    "by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "visit",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="history", to="accreditation.visit"
                    ),
                ),
            ],
            options={"ordering": ["at", "id"], "abstract": False},
        ),
        migrations.CreateModel(
            name="AwardEvent",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("from_status", models.CharField(blank=True, max_length=30)),
                ("to_status", models.CharField(blank=True, max_length=30)),
                ("at", models.DateTimeField(default=django.utils.timezone.now)),
                ("note", models.TextField(blank=True)),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("made", "Award made"),
                            ("ratified", "Ratified by a second officer"),
                            ("issued", "Certificate issued"),
                            ("superseded", "Superseded by a re-accreditation"),
                            ("expired", "Expired"),
                        ],
                        max_length=40,
                    ),
                ),
                (
                    "award",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="history", to="accreditation.award"
                    ),
                ),
                (
                    "by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["at", "id"], "abstract": False},
        ),
        migrations.RunPython(forwards, backwards),
        migrations.AlterField(
            model_name="applicationevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("applied", "Applied"),
                    ("assigned", "Officer assigned"),
                    ("planning", "Initial visit done: planning"),
                    ("plan_agreed", "Action plan agreed: gathering evidence"),
                    ("submitted", "Submitted for assessment"),
                    ("returned", "More evidence asked for"),
                    ("accredited", "Accredited"),
                    ("award_cancelled", "Award not ratified: cancelled"),
                    ("withdrawn", "Withdrawn"),
                    ("expired", "Award expired"),
                ],
                max_length=40,
            ),
        ),
        migrations.RemoveField(model_name="visit", name="changes"),
    ]
