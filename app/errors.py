"""Domain errors, raised by the service and store, mapped to HTTP in one place (app.api.errors).

StorywireError            base; carries a snake_case code and a message for a person
├── InvalidInput          422 the request is well-formed JSON but its content is not acceptable
│   ├── ValidationFailed  422 a field has the wrong type or format (one batch item)
│   ├── EmptyText         422 nothing is left of the text once the page is cleaned
│   └── Unprocessable     422 preparing the page killed the worker process, in its batch and alone
├── PayloadTooLarge       413 the batch is over its limit
├── NotFound              404 unknown article or cluster id
└── StoreMismatch         the data directory was made with other fingerprint parameters
"""

from __future__ import annotations


class StorywireError(Exception):
    """Base of every error the service raises on purpose."""

    status = 500
    code = "internal_error"

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(StorywireError):
    status = 422
    code = "invalid_input"


class ValidationFailed(InvalidInput):
    code = "validation_error"


class EmptyText(InvalidInput):
    code = "empty_text"


class Unprocessable(InvalidInput):
    code = "unprocessable_page"


class PayloadTooLarge(StorywireError):
    status = 413
    code = "payload_too_large"


class NotFound(StorywireError):
    status = 404
    code = "not_found"


class StoreMismatch(StorywireError):
    code = "store_mismatch"
