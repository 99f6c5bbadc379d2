"""Residents' pages: report a problem (choose, locate, answer, describe, check, send), follow a report, and
a signed-in resident's own reports. No JavaScript; postcodes and references are POSTed, never in URLs."""

from __future__ import annotations

import secrets
from datetime import datetime
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Request
from starlette.datastructures import FormData, UploadFile
from starlette.responses import HTMLResponse

from townhall.identity.access import CurrentUser, public, requires
from townhall.identity.models import User
from townhall.places.pages import AddressPicker, PostcodeForm, address_picker_page
from townhall.places.service import property_by_uprn
from townhall.platform.clock import LONDON
from townhall.platform.errors import InvalidInput, NotFound
from townhall.platform.numbers import MAX_UPRN, whole_number
from townhall.service_requests import service as requests_service
from townhall.service_requests.catalogue import answers_in_words, list_services, service_by_code
from townhall.service_requests.models import Service
from townhall.service_requests.open311_form import attributes_of
from townhall.service_requests.photos import is_stored_photo, store_photo
from townhall.service_requests.public_location import public_location_of
from townhall.service_requests.statuses import STATUS_NAMES
from townhall.web.deps import SessionDep
from townhall.web.templating import render

router = APIRouter(include_in_schema=False)


def uk_date(moment: datetime) -> str:
    """ "Monday 2 November 2026", in UK time."""
    local = moment.astimezone(LONDON)
    return f"{local:%A} {local.day} {local:%B %Y}"


def render_page(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    return render(request, template, {"uk_date": uk_date, **context}, status_code=status_code)


Public = Annotated[None, Depends(public)]
ServiceCode = Annotated[str, Path(max_length=40, pattern=r"^[a-z0-9_]+$")]
FIELDS = ("postcode", "uprn", "lat", "long", "description", "email", "first_name", "last_name", "phone", "photo")


def _photo_folder(request: Request) -> FilePath:
    return FilePath(request.app.state.settings.photo_folder)


def _values(form: FormData) -> dict[str, Any]:
    values: dict[str, Any] = {name: str(form.get(name) or "").strip() for name in FIELDS if name != "photo"}
    values["photo"] = str(form.get("photo_name") or "")
    values["answers"] = attributes_of(form)
    values["submission"] = str(form.get("submission") or "") or secrets.token_hex(16)
    return values


def _new_request(values: dict[str, Any], code: str, user: User | None) -> requests_service.NewRequest:
    def number(name: str) -> float | None:
        try:
            return float(values[name]) if values[name] else None
        except ValueError:
            raise requests_service.RequestProblems([(name, "must be a number, like 52.4862")]) from None

    return requests_service.NewRequest(
        service_code=code, source="web", description=values["description"], latitude=number("lat"),
        longitude=number("long"), uprn=whole_number(values["uprn"], maximum=MAX_UPRN),
        answers=values["answers"], email=values["email"] or None, first_name=values["first_name"] or None,
        last_name=values["last_name"] or None, phone=values["phone"] or None, photo_file=values["photo"] or None,
        reporter_user_id=user.id if user and "resident" in user.roles else None,
        idempotency_key=f"web:{values['submission']}",
    )  # fmt: skip


@router.get("/report-a-problem", response_class=HTMLResponse)
def choose_service(request: Request, session: SessionDep, _: Public) -> HTMLResponse:
    return render_page(request, "service_requests/choose.html", {"services": list_services(session)})


def _picker(service: Service) -> AddressPicker:
    base = f"/report-a-problem/{service.code}"
    return AddressPicker(
        title=service.name,
        intro=f"{service.description} Where is it? Find the address by its postcode.",
        action=f"{base}/address",
        link_prefix="",
        choose_action=f"{base}/details",
        other_way=(f"{base}/details", "It is not at an address: give the map position instead"),
    )


def _address_of(session: SessionDep, uprn: str) -> str | None:
    number = whole_number(uprn, maximum=MAX_UPRN)
    try:
        return property_by_uprn(session, uprn=number).address if number is not None else None
    except NotFound:
        return None


def _form_page(request: Request, session: SessionDep, code: str, values: dict[str, Any], **extra: Any) -> HTMLResponse:
    context = {"service": service_by_code(session, code=code), "values": values, "errors": []}
    context["address"] = _address_of(session, values["uprn"])
    context.update(extra)
    return render_page(request, "service_requests/report.html", context, status_code=422 if context["errors"] else 200)


def _blank_values() -> dict[str, Any]:
    return {name: "" for name in FIELDS} | {"answers": {}, "submission": secrets.token_hex(16)}


@router.get("/report-a-problem/{service_code}", response_class=HTMLResponse)
def report_where(request: Request, session: SessionDep, service_code: ServiceCode, _: Public) -> HTMLResponse:
    """The shared address picker, with the addresses as radios, or a way on to give a map position."""
    return address_picker_page(request, session, _picker(service_by_code(session, code=service_code)))


@router.post("/report-a-problem/{service_code}/address", response_class=HTMLResponse)
def report_addresses(
    request: Request, session: SessionDep, service_code: ServiceCode, _: Public, postcode: PostcodeForm = ""
) -> HTMLResponse:
    return address_picker_page(request, session, _picker(service_by_code(session, code=service_code)), postcode)


@router.get("/report-a-problem/{service_code}/details", response_class=HTMLResponse)
def report_form(request: Request, session: SessionDep, service_code: ServiceCode, _: Public) -> HTMLResponse:
    """The questions, with the map position asked for (no address was chosen)."""
    return _form_page(request, session, service_code, _blank_values())


@router.post("/report-a-problem/{service_code}/details", response_class=HTMLResponse)
def report_form_at_address(
    request: Request,
    session: SessionDep,
    service_code: ServiceCode,
    _: Public,
    uprn: Annotated[str, Form(max_length=20)] = "",
    postcode: PostcodeForm = "",
) -> HTMLResponse:
    """The questions, for the address chosen in the picker (the picker again, with an error, if none was)."""
    service = service_by_code(session, code=service_code)
    if _address_of(session, uprn) is None:
        return address_picker_page(request, session, _picker(service), postcode, choice_error="Choose the address")
    return _form_page(request, session, service_code, _blank_values() | {"uprn": uprn, "postcode": postcode})


async def _take_photo(request: Request, form: FormData, values: dict[str, Any]) -> None:
    upload = form.get("photo")
    if isinstance(upload, UploadFile) and upload.filename:
        settings = request.app.state.settings
        content = await upload.read(settings.photo_max_bytes + 1)
        values["photo"] = store_photo(content, folder=_photo_folder(request), max_bytes=settings.photo_max_bytes)
    elif values["photo"] and not is_stored_photo(values["photo"], _photo_folder(request)):
        values["photo"] = ""


@router.post("/report-a-problem/{service_code}", response_class=HTMLResponse)
async def report_check(
    request: Request, session: SessionDep, service_code: ServiceCode, user: CurrentUser, _: Public
) -> HTMLResponse:
    """Find addresses at a postcode, or check everything and show the answers before sending."""
    form = await request.form()
    values = _values(form)
    try:
        await _take_photo(request, form, values)
    except InvalidInput as error:
        return _form_page(request, session, service_code, values, errors=[("photo", error.message)])
    finally:
        await form.close()  # the upload's temporary file, now read
    try:
        service, place, answers = requests_service.validate_request(
            session, new=_new_request(values, service_code, user)
        )
    except requests_service.RequestProblems as problems:
        return _form_page(request, session, service_code, values, errors=problems.problems)
    shown = answers_in_words(service, answers)
    context = {"service": service, "place": place, "values": values, "shown_answers": shown}
    return render_page(request, "service_requests/check.html", context)


@router.post("/report-a-problem/{service_code}/send", response_class=HTMLResponse)
async def report_send(
    request: Request, session: SessionDep, service_code: ServiceCode, user: CurrentUser, _: Public
) -> HTMLResponse:
    form = await request.form()
    values = _values(form)
    if values["photo"] and not is_stored_photo(values["photo"], _photo_folder(request)):
        values["photo"] = ""
    try:
        created, _new = requests_service.create_request(session, new=_new_request(values, service_code, user))
    except requests_service.RequestProblems as problems:
        return _form_page(request, session, service_code, values, errors=problems.problems)
    return render_page(request, "service_requests/sent.html", {"created": created})


@router.get("/report-a-problem-track", response_class=HTMLResponse)
def track_form(request: Request, _: Public) -> HTMLResponse:
    return render_page(request, "service_requests/track.html", {"reference": "", "error": None, "found": None})


@router.post("/report-a-problem-track", response_class=HTMLResponse)
async def track(request: Request, session: SessionDep, _: Public) -> HTMLResponse:
    """Anyone with the reference sees the status and public updates: never the description or who reported it."""
    reference = str((await request.form()).get("reference") or "")[:30]
    try:
        found = requests_service.request_by_reference(session, reference=reference)
    except NotFound as error:
        context: dict[str, object] = {"reference": reference, "error": error.message, "found": None}
        return render_page(request, "service_requests/track.html", context, status_code=404)
    updates = [u for u in requests_service.public_updates(session, request_id=found.id) if u.public_note]
    where = public_location_of(session, found)  # the street only, for a problem at someone's home
    context = {"reference": reference, "error": None, "found": found, "updates": updates, "names": STATUS_NAMES}
    context["where"] = where.address or f"{where.latitude:.3f}, {where.longitude:.3f}"
    return render_page(request, "service_requests/track.html", context)


@router.get("/your-reports", response_class=HTMLResponse)
def your_reports(
    request: Request, session: SessionDep, user: Annotated[User, Depends(requires("resident"))]
) -> HTMLResponse:
    found = requests_service.requests_of_resident(session, user_id=user.id)
    return render_page(request, "service_requests/yours.html", {"requests": found, "names": STATUS_NAMES})


@router.get("/your-reports/{request_id}", response_class=HTMLResponse)
def your_report(
    request: Request,
    session: SessionDep,
    request_id: Annotated[int, Path(gt=0, lt=2**31)],
    user: Annotated[User, Depends(requires("resident"))],
) -> HTMLResponse:
    found = requests_service.own_request(session, user_id=user.id, request_id=request_id)
    updates = [u for u in requests_service.public_updates(session, request_id=found.id) if u.public_note]
    context = {"found": found, "updates": updates, "names": STATUS_NAMES}
    return render_page(request, "service_requests/your_report.html", context)
