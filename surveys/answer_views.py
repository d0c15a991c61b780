"""The pages people answer on, by a round's secret link: no sign-in, nothing about the
person or their device stored with the answers (no address, no time of day), pages never
cached, and the link never sent to another site as a referrer.

Answers are kept in the session until they are sent, so a tablet that sleeps mid-way
loses nothing; sending stores them once (the submission key made at the start) and
clears the session, and the "next person" screen starts afresh. Limits count per device
(the browser's CSRF cookie, hashed: no cookie of our own) and per round, and let people
through when the cache is down (docs/adr/0069).
"""

import hashlib

from django.conf import settings
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from ppp.ratelimit import ALLOW, over_limit

from . import selectors, services
from .forms import QuestionPageForm, SendForm, StartForm
from .models import Response
from .services import AlreadySent, SurveyError

SESSION = "survey"
PER_PAGE = 4  # questions a page for older pupils and adults; the youngest get one


def _private(response):
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, max-age=0, private"
    return response


def _page(request, template, context, status=200):
    return _private(render(request, f"surveys/answer/{template}", context, status=status))


def _round_or_page(request, token):
    round_ = services.round_for_token(token)
    if round_ is None:
        return None, _page(request, "not_found.html", {}, status=404)
    if not round_.is_open():
        return None, _page(request, "closed.html", {"round": round_, "organisation": round_.organisation}, status=410)
    return round_, None


def _pages(round_) -> list[list]:
    questions = selectors.questions_of(round_.question_set)
    size = 1 if round_.question_set.faces else PER_PAGE
    return [questions[i : i + size] for i in range(0, len(questions), size)]


def _state(request, round_) -> dict | None:
    state = request.session.get(SESSION)
    if state and state.get("round") == round_.pk:
        return state
    return None


def _context(round_, **extra):
    return {"round": round_, "organisation": round_.organisation, "faces": round_.question_set.faces, **extra}


@never_cache
@require_http_methods(["GET", "POST"])
def start(request, token):
    round_, refusal = _round_or_page(request, token)
    if refusal:
        return refusal
    state = _state(request, round_)
    form = StartForm(request.POST or None, round=round_)
    if request.method == "POST":
        if form.is_bot():
            return _page(request, "refused.html", _context(round_), status=400)
        if form.is_valid():
            request.session[SESSION] = {
                "round": round_.pk,
                "key": services.new_submission_key(),
                "year_group": form.cleaned_data.get("year_group", ""),
                "class_label": form.cleaned_data.get("class_label", ""),
                "answers": {},
            }
            return _private(redirect("surveys:answer-page", token=token, number=1))
    questions = len(selectors.questions_of(round_.question_set))
    return _page(request, "start.html", _context(round_, form=form, state=state, token=token, questions=questions))


@never_cache
@require_http_methods(["GET", "POST"])
def page(request, token, number):
    round_, refusal = _round_or_page(request, token)
    if refusal:
        return refusal
    state = _state(request, round_)
    pages = _pages(round_)
    if state is None or not 1 <= number <= len(pages):
        return _private(redirect("surveys:answer-start", token=token))
    questions = pages[number - 1]
    faces = round_.question_set.faces
    if request.method == "POST":
        form = QuestionPageForm(request.POST, questions=questions, faces=faces)
        if form.is_bot():
            return _page(request, "refused.html", _context(round_), status=400)
        if form.is_valid():
            answers = dict(state["answers"])
            for question in questions:
                answers.pop(str(question.position), None)
            answers.update(form.answers())
            state["answers"] = answers
            request.session[SESSION] = state
            if number < len(pages):
                return _private(redirect("surveys:answer-page", token=token, number=number + 1))
            return _private(redirect("surveys:answer-send", token=token))
    else:
        form = QuestionPageForm(
            initial=QuestionPageForm.initial_for(questions, state["answers"]), questions=questions, faces=faces
        )
    return _page(
        request,
        "page.html",
        _context(round_, form=form, number=number, pages=len(pages), token=token, questions=questions),
    )


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


@never_cache
@require_http_methods(["GET", "POST"])
def send(request, token):
    round_, refusal = _round_or_page(request, token)
    if refusal:
        return refusal
    state = _state(request, round_)
    free_text = not round_.question_set.faces
    if request.method == "GET":
        if state is None:
            return _private(redirect("surveys:answer-start", token=token))
        form = SendForm(initial={"submission": state["key"]}, free_text=free_text)
        return _page(
            request, "send.html", _context(round_, form=form, state=state, token=token, **_counts(round_, state))
        )
    form = SendForm(request.POST, free_text=free_text)
    if form.is_bot():
        return _page(request, "refused.html", _context(round_), status=400)
    posted_key = request.POST.get("submission", "")
    if state is None:
        # Sent already (a double click after the first cleared the session), or started elsewhere.
        if posted_key and Response.objects.filter(round=round_, submission_key=posted_key).exists():
            return _done(request, round_, token)
        return _private(redirect("surveys:answer-start", token=token))
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
    return _page(request, "send.html", _context(round_, form=form, state=state, token=token, **_counts(round_, state)))


def _counts(round_, state) -> dict:
    total = sum(len(p) for p in _pages(round_))
    return {"answered": len(state["answers"]), "total": total, "last_page": len(_pages(round_))}


def _done(request, round_, token):
    """Thank you, and a clean slate for the next person: the session is emptied."""
    request.session.flush()
    return _page(request, "done.html", _context(round_, token=token))


@never_cache
@require_POST
def next_person(request, token):
    """Start again: clears everything this device holds of the survey."""
    request.session.flush()
    return _private(redirect("surveys:answer-start", token=token))
