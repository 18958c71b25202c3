"""The one place where errors become HTTP responses in the contract's shape:
``{"error": {"code": "snake_case", "message": "...", "field": "optional"}}``."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from app.errors import StorywireError

log = logging.getLogger("storywire")

_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large", 415: "unsupported_media_type"}


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if field is not None:
        body["field"] = field
    return {"error": body}


def error_response(status: int, code: str, message: str, field: str | None = None) -> JSONResponse:
    return JSONResponse(error_body(code, message, field), status_code=status)


def domain_error_body(exc: StorywireError) -> dict[str, Any]:
    return error_body(exc.code, exc.message, exc.field)


def field_path(loc: Sequence[int | str]) -> str | None:
    """``("body", "articles", 3, "url")`` → ``articles[3].url``; None for the body itself."""
    parts = [p for p in loc if p not in ("body", "query", "path", "header")]
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or None


def validation_error_body(errors: Sequence[Any], whole: str = "body") -> tuple[int, dict[str, Any]]:
    """Pydantic errors → 400 for unparseable JSON, else 422 naming the first bad field;
    ``whole`` names what was validated, for an error about it rather than one of its fields."""
    first = errors[0]
    if first.get("type") == "json_invalid":
        detail = first.get("ctx", {}).get("error", "invalid JSON")
        return 400, error_body("malformed_json", f"the body is not valid JSON: {detail}")
    message = "; ".join(f"{field_path(e['loc']) or whole}: {e['msg']}" for e in errors[:5])
    return 422, error_body("validation_error", message, field_path(first["loc"]))


def install(app: FastAPI) -> None:
    """Register the handlers that map every error to the contract's error shape."""

    @app.exception_handler(StorywireError)
    async def _domain(_: Request, exc: StorywireError) -> JSONResponse:
        if exc.status >= 500:
            log.error("domain error %s: %s", exc.code, exc.message)
        return JSONResponse(domain_error_body(exc), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        status, body = validation_error_body(exc.errors())
        return JSONResponse(body, status_code=status)

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "bad_request" if exc.status_code < 500 else "internal_error")
        return JSONResponse(
            error_body(code, str(exc.detail)), status_code=exc.status_code, headers=getattr(exc, "headers", None)
        )

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error")
        return error_response(500, "internal_error", "the service failed on this request; it is logged")
