"""The pages a pupil sees: the school's private form, and coming back with a code to read
the school's reply and add more. No sign-in, no cookie but the form's CSRF one, nothing
fetched from elsewhere, no address kept with the report; pages are never cached, and the
link (which is the secret) is never sent to another site as a referrer."""

import secrets

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ppp.audit.services import client_ip
from ppp.ratelimit import ALLOW, count_towards, limited, over_limit, uncount
from ppp.views import errors_answered_by

from . import services
from .forms import CodeForm, PupilAddForm, TellForm
from .models import PupilMessage, Status, hash_code
from .services import DuplicateSubmission, IncidentError

# Follow-up codes (80 random bits). Each try is counted before the code is looked up,
# atomically, so parallel guesses cannot slip past a limit:
# - per code: any one code may be tried CODE_TRIES_PER_CODE times an hour (right or wrong);
# - per address: CODE_MISSES_PER_ADDRESS wrong codes an hour. A school's pupils share one
#   address, so this is far above what pupils mistyping ever reach (a correct code is
#   taken back off the count): a few wrong guesses from the school never lock its pupils
#   out, while a script trying codes from one address is stopped.
CODE_TRIES_PER_CODE = 20
CODE_MISSES_PER_ADDRESS = 200
CODE_WINDOW = 60 * 60
# Every limit here lets pupils through when the cache is down: a child's report or reply
# matters more than a flood for the length of an outage, and 80 random bits cannot be
# guessed in one (docs/adr).


def _private(response):
    # Same origin only: the token never reaches another site in a Referer header (Childline,
    # "Exit this page"), while the form still posts with its Origin for the CSRF check.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, max-age=0, private"
    return response


def _page(request, template, context=None, status=200):
    return _private(render(request, f"incidents/tell/{template}", context or {}, status=status))


def error_page(request, *, problem: str, status: int, **_url):
    """The 400 page (a NUL character sent) and the CSRF failure page on these addresses
    (ppp.views): this layout, with Childline and "Exit this page", not the staff's pages."""
    return _page(request, "error.html", {"problem": problem}, status=status)


def _school_over_limit(request, link) -> bool:
    rate = f"{settings.INCIDENT_PUPIL_REPORTS_PER_SCHOOL_PER_DAY}/d"
    return over_limit(
        request,
        "tell-school",
        rate,
        key=lambda _group, _request: f"school-{link.organisation_id}",
        cache_down=ALLOW,
    )


@errors_answered_by(error_page)
@never_cache
@limited("tell", "60/m", cache_down=ALLOW)
@require_http_methods(["GET", "POST"])
def tell(request, token):
    link = services.link_for_token(token)
    if link is None:
        return _page(request, "not_found.html", status=404)
    if link.retired_at is not None:
        return _page(request, "link_gone.html", {"organisation": link.organisation}, status=410)
    organisation = link.organisation
    if request.method == "GET":
        form = TellForm(initial={"submission": secrets.token_urlsafe(24), "tell_name": "no"})
        return _page(request, "form.html", {"form": form, "organisation": organisation})
    form = TellForm(request.POST)
    if form.is_bot():
        return _page(request, "refused.html", {"organisation": organisation}, status=400)
    if form.is_valid():
        if over_limit(
            request, "tell-report", f"{settings.INCIDENT_PUPIL_REPORTS_PER_HOUR}/h", cache_down=ALLOW
        ) or _school_over_limit(request, link):
            return _page(request, "refused.html", {"organisation": organisation, "busy": True}, status=429)
        c = form.cleaned_data
        try:
            _incident, code = services.pupil_report_submit(
                link=link,
                what_happened=c["what_happened"],
                where=c["where"],
                when=c["when"],
                who=c["who"],
                name=c["name"] if c["tell_name"] == "yes" else "",
                class_name=c["class_name"] if c["tell_name"] == "yes" else "",
                submission_key=c["submission"],
            )
        except DuplicateSubmission:
            return _page(request, "sent_again.html", {"organisation": organisation})
        except IncidentError as error:
            form.add_error(None, str(error))
        else:
            return _page(request, "sent.html", {"organisation": organisation, "code": services.format_code(code)})
    return _page(request, "form.html", {"form": form, "organisation": organisation}, status=200)


def _conversation(request, incident, code, *, add_form=None, added=False):
    messages = list(incident.messages.order_by("created_at", "id"))
    return _page(
        request,
        "conversation.html",
        {
            "organisation": incident.organisation,
            "incident": incident,
            "messages": messages,
            "replies": sum(1 for m in messages if m.sender == PupilMessage.Sender.SCHOOL),
            "open": incident.status != Status.CLOSED,
            "add_form": add_form or PupilAddForm(initial={"code": code}),
            "added": added,
        },
    )


@errors_answered_by(error_page)
@never_cache
@limited("tell", "60/m", cache_down=ALLOW)
@require_http_methods(["GET", "POST"])
def follow_up(request):
    """Come back with a code: read the school's reply, and add more."""
    if request.method == "GET":
        return _page(request, "code.html", {"form": CodeForm()})
    adding = "body" in request.POST
    form = PupilAddForm(request.POST) if adding else CodeForm(request.POST)
    code = request.POST.get("code", "")
    address = client_ip(request) or "unknown"
    if code and (
        count_towards("tell-code", hash_code(code), CODE_TRIES_PER_CODE, CODE_WINDOW, cache_down=ALLOW)
        or count_towards("tell-code-address", address, CODE_MISSES_PER_ADDRESS, CODE_WINDOW, cache_down=ALLOW)
    ):
        return _page(request, "refused.html", {"busy": True}, status=429)
    incident = services.incident_for_code(code) if code else None
    if incident is not None:
        uncount("tell-code-address", address, CODE_WINDOW)  # a right code is not a miss
    if incident is None:
        form = CodeForm(request.POST)
        if form.is_valid():
            form.add_error("code", "We could not find that code. Check it and try again")
        return _page(request, "code.html", {"form": form})
    if not adding:
        return _conversation(request, incident, code)
    if form.is_valid():
        try:
            services.pupil_message_add(incident=incident, body=form.cleaned_data["body"])
        except IncidentError as error:
            form.add_error("body", str(error))
        else:
            return _conversation(request, incident, code, added=True)
    return _conversation(request, incident, code, add_form=form)
