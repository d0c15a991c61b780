"""The pages people answer on, by a round's secret link: no sign-in, nothing about the
person or their device stored with the answers (no address, no time of day), pages never
cached by a browser or proxy, and the link never sent to another site as a referrer. The
start page, the same for everyone, is kept in the shared cache for visitors with no session
(ppp.pagecache, docs/adr/0025). A page of questions with nothing chosen is the same for
everyone who has started: it is kept whole for them, without reading their session, and
has no CSRF token; its answers are checked by where they come from instead (Fetch Metadata
and Origin, docs/adr/0092). A page showing what the person chose (`?chosen=1`, the "Back"
links) or their errors is drawn for them.

Answers are kept in the session until they are sent, so a tablet that sleeps mid-way
loses nothing; sending stores them once (the submission key made when "Start now" is
pressed) and clears the session, and the "next person" screen starts afresh. Limits count
per device (the browser's CSRF cookie, hashed: no cookie of our own; a browser has it
from the "Send" page on) and per round, and let people through when the cache is down
(docs/adr/0069).
"""

import functools
import hashlib

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from modern_csrf.decorators import csrf_protect as same_origin_only

from ppp.pagecache import cache_public_page
from ppp.ratelimit import ALLOW, over_limit
from ppp.views import errors_answered_by

from . import selectors, services
from .forms import QuestionPageForm, SendForm, StartForm
from .models import Response
from .services import AlreadySent, SurveyError
from .signals import ANSWER_PAGES

SESSION = "survey"
START = "start"  # the query parameter "Start now" sends
PER_PAGE = 4  # questions a page for older pupils and adults; the youngest get one


def _private(response):
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, max-age=0, private"
    return response


def _private_page(view):
    """Every answer of the view private, a kept page served again included."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        return _private(view(request, *args, **kwargs))

    return wrapped


def _page(request, template, context, status=200):
    return render(request, f"surveys/answer/{template}", context, status=status)


def _round_or_page(request, token):
    """(the round and its questions: selectors.AnsweringRound, None), or (None, the page
    that says why not). Whether it is open is worked out here, from its dates, on every
    request drawn (a kept page is kept under the day's date)."""
    found = selectors.answering_round(token)
    if found is None:
        return None, _page(request, "not_found.html", {}, status=404)
    round_ = found.round
    if not round_.is_open():
        return None, _page(request, "closed.html", {"round": round_, "organisation": round_.organisation}, status=410)
    return found, None


def _pages(round_, questions) -> list[list]:
    size = 1 if round_.question_set.faces else PER_PAGE
    return [questions[i : i + size] for i in range(0, len(questions), size)]


def _state(request, round_) -> dict | None:
    state = request.session.get(SESSION)
    if state and state.get("round") == round_.pk:
        return state
    return None


def _context(round_, **extra):
    return {"round": round_, "organisation": round_.organisation, "faces": round_.question_set.faces, **extra}


def error_page(request, *, problem: str, status: int, token: str = "", **_url):
    """The 400 page (a NUL character sent) and the CSRF failure page (no cookie, a page
    open too long) on these addresses (ppp.views): the survey's layout, with its help, and
    words true for a pupil: what was sent on earlier pages is kept in the session."""
    found = selectors.answering_round(token) if "\x00" not in token else None
    round_ = found.round if found is not None else None
    context = {
        "problem": problem,
        "token": token if round_ is not None else "",
        "kept": round_ is not None and bool((_state(request, round_) or {}).get("answers")),
    }
    if round_ is not None:
        context = _context(round_, **context)
    return _private(_page(request, "error.html", context, status=status))


LOST = "lost"  # the query parameter that tells the start page why the person is back


def _lost(token):
    """Answers sent with no session behind them (it ended: a device left for hours, cookies
    cleared): back to the start, which says so, rather than starting again without a word."""
    return redirect(reverse("surveys:answer-start", kwargs={"token": token}) + f"?{LOST}=1")


def _today(request) -> str:
    return timezone.localdate().isoformat()


@errors_answered_by(error_page)
@_private_page
@never_cache
@require_http_methods(["GET", "POST"])
def start(request, token):
    """The round's first page. "Start now" sends its choices (year group, class) by GET to
    this address with `start`: that starts the person's session and goes to the first
    questions. So the page itself has no CSRF token and nothing of the person, and is kept
    for visitors with no session (`_start_page`, docs/adr/0025). A POST (a page from before
    that change, still open on a device) starts the same way."""
    if request.method == "POST" or START in request.GET:
        return _begin(request, token, request.POST if request.method == "POST" else request.GET)
    return _start_page(request, token)


def _draw_start(request, token, form=None):
    found, refusal = _round_or_page(request, token)
    if refusal:
        return refusal
    round_, questions = found.round, found.questions
    state = _state(request, round_)
    form = form or StartForm(round=round_)
    context = _context(
        round_, form=form, state=state, token=token, questions=len(questions), start=START, lost=LOST in request.GET
    )
    return _page(request, "start.html", context)


# The start page as everybody sees it: kept a minute for visitors with no session, under the
# day's date too, so it never outlives the day a round opens or closes on.
_start_page = cache_public_page(ANSWER_PAGES, vary=_today)(_draw_start)


def _begin(request, token, data):
    found, refusal = _round_or_page(request, token)
    if refusal:
        return refusal
    round_ = found.round
    form = StartForm(data, round=round_)
    if form.is_bot():
        return _page(request, "refused.html", _context(round_), status=400)
    if not form.is_valid():
        return _draw_start(request, token, form=form)
    request.session[SESSION] = {
        "round": round_.pk,
        "key": services.new_submission_key(),
        "year_group": form.cleaned_data.get("year_group", ""),
        "class_label": form.cleaned_data.get("class_label", ""),
        "answers": {},
    }
    return redirect("surveys:answer-page", token=token, number=1)


CHOSEN = "chosen"  # the query parameter of a page shown with what the person chose on it


def _page_url(token, number, chosen=False) -> str:
    url = reverse("surveys:answer-page", kwargs={"token": token, "number": number})
    return url + f"?{CHOSEN}=1" if chosen else url


@csrf_exempt  # no token on a kept page: `same_origin_only` checks where its answers come from
@errors_answered_by(error_page)
@_private_page
@never_cache
@require_http_methods(["GET", "POST"])
@same_origin_only
def page(request, token, number):
    if request.method == "GET" and CHOSEN not in request.GET:
        return _kept_questions(request, token, number)
    return _draw_page(request, token, number)


def _draw_page(request, token, number):
    """A page of questions: the same for everyone who has started, unless it shows what the
    person chose (`?chosen=1`) or what was wrong with what they sent."""
    found, refusal = _round_or_page(request, token)
    if refusal:
        return refusal
    round_, all_questions = found.round, found.questions
    state = _state(request, round_)
    pages = _pages(round_, all_questions)
    # Shown with what the person chose on it; its form is sent back to the same address.
    chosen = CHOSEN in request.GET
    if state is None and request.method == "POST":
        return _lost(token)
    if state is None or not 1 <= number <= len(pages):
        return redirect("surveys:answer-start", token=token)
    questions = pages[number - 1]
    faces = round_.question_set.faces
    if request.method == "POST":
        form = QuestionPageForm(request.POST, questions=questions, faces=faces)
        if form.is_bot():
            return _page(request, "refused.html", _context(round_), status=400)
        if form.is_valid():
            answers = dict(state["answers"])
            if chosen:
                # Sent from the page that showed what they chose: what is not chosen now
                # (a box unticked) is no longer an answer.
                for question in questions:
                    answers.pop(str(question.position), None)
            # Sent from the page kept for everyone (browser Back, a reopened tab), which
            # showed nothing chosen: what they chose before on it is kept, not wiped.
            answers.update(form.answers())
            state["answers"] = answers
            request.session[SESSION] = state
            if number < len(pages):
                # The next page as kept for everyone, or with what this person chose on it before.
                chosen = any(str(question.position) in answers for question in pages[number])
                return redirect(_page_url(token, number + 1, chosen))
            return redirect("surveys:answer-send", token=token)
    else:
        initial = QuestionPageForm.initial_for(questions, state["answers"]) if chosen else {}
        form = QuestionPageForm(initial=initial, questions=questions, faces=faces)
    context = _context(
        round_, form=form, number=number, pages=len(pages), token=token, questions=questions, chosen=chosen
    )
    return _page(request, "page.html", context)


def _today_in_language(request) -> str:
    return f"{_today(request)}:{get_language()}"


# A page of questions with nothing chosen, as everybody who has started sees it: kept a
# minute for visitors with a session, under the day's date (a round opens and closes on a
# day) and the language, and forgotten with the start pages when a round changes.
_kept_questions = cache_public_page(ANSWER_PAGES, vary=_today_in_language, with_session=True)(_draw_page)


def _device_key(request) -> str:
    cookie = request.COOKIES.get(settings.CSRF_COOKIE_NAME, "")
    return "device-" + hashlib.sha256(cookie.encode()).hexdigest()[:32]


def _over_limits(request, round_) -> bool:
    per_device = over_limit(
        request,
        "survey-device",
        f"{settings.SURVEY_ANSWERS_PER_DEVICE_PER_HOUR}/h",
        key=lambda _group, req: _device_key(req),
        cache_down=ALLOW,
    )
    per_round = over_limit(
        request,
        "survey-round",
        f"{settings.SURVEY_ANSWERS_PER_ROUND_PER_DAY}/d",
        key=lambda _group, _req: f"round-{round_.pk}",
        cache_down=ALLOW,
    )
    return per_device or per_round


@errors_answered_by(error_page)
@_private_page
@never_cache
@require_http_methods(["GET", "POST"])
def send(request, token):
    found, refusal = _round_or_page(request, token)
    if refusal:
        return refusal
    round_, questions = found.round, found.questions
    state = _state(request, round_)
    free_text = not round_.question_set.faces
    if request.method == "GET":
        if state is None:
            return redirect("surveys:answer-start", token=token)
        form = SendForm(initial={"submission": state["key"]}, free_text=free_text)
        return _page(
            request,
            "send.html",
            _context(round_, form=form, state=state, token=token, **_counts(round_, questions, state)),
        )
    form = SendForm(request.POST, free_text=free_text)
    if form.is_bot():
        return _page(request, "refused.html", _context(round_), status=400)
    posted_key = request.POST.get("submission", "")
    if state is None:
        # Sent already (a double click after the first cleared the session), or started elsewhere.
        if posted_key and Response.objects.filter(round=round_, submission_key=posted_key).exists():
            return _done(request, round_, token)
        return _lost(token)
    if posted_key != state["key"]:
        # An earlier person's "Send" page, sent again on a shared device (Back after "Next
        # person") while someone else is answering: never store this person's answers so
        # far under it, nor end their session. They see their own "Send" page.
        return redirect("surveys:answer-send", token=token)
    return _store(request, round_, questions, state, token, form)


def _store(request, round_, questions, state, token, form):
    """ "Send my answers" from the person whose answers these are: stored once, then the
    thank-you page; or the send page again with what was wrong."""
    if form.is_valid():
        if _over_limits(request, round_):
            return _page(request, "refused.html", _context(round_, busy=True), status=429)
        try:
            services.response_submit(
                round=round_,
                submission_key=state["key"],
                year_group=state.get("year_group", ""),
                class_label=state.get("class_label", ""),
                answers=state["answers"],
                comment=form.cleaned_data.get("comment", ""),
            )
        except AlreadySent:
            return _done(request, round_, token)
        except SurveyError as error:
            form.add_error(None, str(error))
        else:
            return _done(request, round_, token)
    return _page(
        request, "send.html", _context(round_, form=form, state=state, token=token, **_counts(round_, questions, state))
    )


def _counts(round_, questions, state) -> dict:
    return {"answered": len(state["answers"]), "total": len(questions), "last_page": len(_pages(round_, questions))}


def _done(request, round_, token):
    """Thank you, and a clean slate for the next person: the session is emptied."""
    request.session.flush()
    return _page(request, "done.html", _context(round_, token=token))


@errors_answered_by(error_page)
@_private_page
@never_cache
@require_POST
def next_person(request, token):
    """Start again: clears everything this device holds of the survey."""
    request.session.flush()
    return redirect("surveys:answer-start", token=token)
