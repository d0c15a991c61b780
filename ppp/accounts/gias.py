"""Import organisations from the DfE "Get Information About Schools" (GIAS) CSV.

Rows are matched by URN: new URNs are created, known ones updated when something
changed. A bad row is reported with its line number and skipped; a file that is not a
GIAS extract (missing columns, wrong encoding) is refused before anything is written.
"""

import csv
import io
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from .models import Organisation
from .signals import organisations_imported

REQUIRED_COLUMNS = ["URN", "EstablishmentName", "TypeOfEstablishment (name)", "LA (name)"]
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")
UPDATABLE_FIELDS = ["name", "kind", "phase", "local_authority", "address", "postcode", "status", "website"]


class GIASFileError(Exception):
    """The file as a whole cannot be imported; nothing was written."""


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_other_la: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)


def kind_for(establishment_type: str, phase: str) -> str:
    """Map GIAS's establishment type and phase onto PPP's kinds of organisation."""
    kind_text, phase_text = establishment_type.lower(), phase.lower()
    K = Organisation.Kind
    if "special" in kind_text:
        return K.SPECIAL
    if "pupil referral" in kind_text or "alternative provision" in kind_text:
        return K.ALTERNATIVE_PROVISION
    if "further education" in kind_text or "sixth form" in kind_text or phase_text == "16 plus":
        return K.COLLEGE
    if "nursery" in kind_text or phase_text == "nursery":
        return K.NURSERY
    if phase_text == "all-through":
        return K.ALL_THROUGH
    if phase_text in {"primary", "middle deemed primary"}:
        return K.PRIMARY
    if phase_text in {"secondary", "middle deemed secondary"}:
        return K.SECONDARY
    return K.OTHER


def _clean_website(value: str) -> str:
    value = value.strip()
    if value and not re.match(r"^https?://", value, re.IGNORECASE):
        value = "http://" + value
    return value


def _row_to_fields(row: dict) -> dict:
    """The organisation fields for one CSV row; raises ValueError with the reason."""
    urn = (row.get("URN") or "").strip()
    if not urn.isdigit() or len(urn) > 8:
        raise ValueError(f"URN {urn!r} is not a number" if urn else "URN is empty")
    name = (row.get("EstablishmentName") or "").strip()
    if not name:
        raise ValueError("EstablishmentName is empty")
    if len(name) > 200:
        raise ValueError("EstablishmentName is longer than 200 characters")
    postcode = re.sub(r"\s+", " ", (row.get("Postcode") or "").strip().upper())
    if postcode and not POSTCODE.match(postcode):
        raise ValueError(f"postcode {postcode!r} is not a UK postcode")
    website = _clean_website(row.get("SchoolWebsite") or "")
    if len(website) > 200 or (website and not re.match(r"^https?://[^\s/$.?#].[^\s]*$", website, re.IGNORECASE)):
        raise ValueError(f"website {website!r} is not a web address")
    status_text = (row.get("EstablishmentStatus (name)") or "Open").strip().lower()
    status = Organisation.Status.CLOSED if status_text.startswith("closed") else Organisation.Status.OPEN
    phase = (row.get("PhaseOfEducation (name)") or "").strip()
    address_parts = [(row.get(c) or "").strip() for c in ("Street", "Locality", "Address3", "Town")]
    return {
        "urn": urn,
        "name": name,
        "kind": kind_for(row.get("TypeOfEstablishment (name)") or "", phase),
        "phase": phase[:60],
        "local_authority": (row.get("LA (name)") or "").strip()[:100],
        "address": "\n".join(part for part in address_parts if part),
        "postcode": postcode,
        "status": status,
        "website": website,
    }


def read_rows(data: bytes, encoding: str = "utf-8-sig") -> tuple[list[str], list[tuple[int, dict]]]:
    """Decode and parse the CSV; returns its header and (line number, row) pairs."""
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise GIASFileError(
            f"The file is not valid {encoding} text (byte {error.start}). GIAS downloads are sometimes "
            "Windows-1252: try again with --encoding cp1252."
        ) from None
    except LookupError:
        raise GIASFileError(f"Unknown encoding {encoding!r}.") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise GIASFileError(
            "This does not look like a Get Information About Schools CSV: missing column(s) " + ", ".join(missing) + "."
        )
    reader.fieldnames = header
    try:
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as error:
        raise GIASFileError(f"The CSV cannot be read at line {reader.line_num}: {error}.") from None
    return header, rows


@transaction.atomic
def import_gias(data: bytes, *, local_authority: str | None = None, encoding: str = "utf-8-sig") -> ImportResult:
    _, rows = read_rows(data, encoding)
    result = ImportResult()
    wanted_la = local_authority.strip().lower() if local_authority else None
    parsed: dict[str, dict] = {}
    for line, row in rows:
        if None in row:
            result.rejected.append((line, "the row has more values than the header"))
            continue
        if wanted_la and (row.get("LA (name)") or "").strip().lower() != wanted_la:
            result.skipped_other_la += 1
            continue
        try:
            fields = _row_to_fields(row)
        except ValueError as error:
            result.rejected.append((line, str(error)))
            continue
        if fields["urn"] in parsed:
            result.rejected.append((line, f"URN {fields['urn']} appears earlier in the file"))
            continue
        parsed[fields["urn"]] = fields

    existing = {o.urn: o for o in Organisation.objects.filter(urn__in=list(parsed))}
    taken_slugs: set[str] = set()
    to_create, to_update = [], []
    now = timezone.now()
    for urn, fields in parsed.items():
        organisation = existing.get(urn)
        if organisation is None:
            slug = Organisation.unique_slug(fields["name"], taken_slugs)
            taken_slugs.add(slug)
            to_create.append(Organisation(slug=slug, **fields))
            continue
        changed = False
        for name in UPDATABLE_FIELDS:
            if getattr(organisation, name) != fields[name]:
                setattr(organisation, name, fields[name])
                changed = True
        if changed:
            organisation.updated_at = now
            to_update.append(organisation)
        else:
            result.unchanged += 1
    Organisation.objects.bulk_create(to_create, batch_size=500)
    Organisation.objects.bulk_update(to_update, UPDATABLE_FIELDS + ["updated_at"], batch_size=500)
    result.created, result.updated = len(to_create), len(to_update)
    if to_create or to_update:  # bulk writes send no post_save: say so once
        organisations_imported.send(sender=Organisation, created=result.created, updated=result.updated)
    return result
