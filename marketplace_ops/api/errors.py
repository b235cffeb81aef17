"""One JSON error shape for every API failure: {"errors": [{"field", "message", "code"}]}."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django_fsm import TransitionNotAllowed
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The resource changed since the version you named (If-Match)."
    default_code = "precondition_failed"


def _flatten(detail, field=None):
    if isinstance(detail, dict):
        out = []
        for key, value in detail.items():
            name = None if key in ("non_field_errors", "__all__", "detail") else (f"{field}.{key}" if field else key)
            out.extend(_flatten(value, name))
        return out
    if isinstance(detail, list):
        out = []
        for index, item in enumerate(detail):
            if isinstance(item, dict):
                out.extend(_flatten(item, f"{field}[{index}]" if field else f"[{index}]"))
            else:
                out.extend(_flatten(item, field))
        return out
    code = getattr(detail, "code", None) or "invalid"
    entry = {"message": str(detail), "code": code}
    if field:
        entry["field"] = field
    return [entry]


def error_body(detail) -> dict:
    return {"errors": _flatten(detail)}


def json_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, TransitionNotAllowed):
        exc = Conflict(str(exc) or "This transition is not allowed from the current state.")
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(str(exc) or "Not found.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    response = exception_handler(exc, context)
    if response is None:
        return None
    response.data = error_body(response.data if isinstance(exc, exceptions.ValidationError) else exc.detail)
    return response


def conflict_response(message: str, *, code: str = "conflict") -> Response:
    return Response({"errors": [{"message": message, "code": code}]}, status=status.HTTP_409_CONFLICT)


def json_404(request, exception=None):
    """handler404: JSON under /api/, the normal page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"errors": [{"message": "Not found.", "code": "not_found"}]}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)
