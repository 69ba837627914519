"""Fault injection for AWS tests: answer chosen operations with an error before they leave botocore.

Handlers are registered first on the session's event system, so they run before moto's stubber and
the real SDK parses the error response, applies its retry policy and raises as it would in production.
"""

from __future__ import annotations

import io
import json
from typing import Any

from botocore.awsrequest import AWSResponse
from botocore.exceptions import ReadTimeoutError


class _Raw(io.BytesIO):
    def stream(self, **_: Any):
        chunk = self.read()
        while chunk:
            yield chunk
            chunk = self.read()


def _json_error(code: str, status: int) -> Any:
    def handler(request: Any, **_: Any) -> AWSResponse:
        body = json.dumps({"__type": code, "message": f"injected {code}", "Message": f"injected {code}"}).encode()
        headers = {"x-amzn-ErrorType": code, "Content-Type": "application/x-amz-json-1.1"}
        return AWSResponse(request.url, status, headers, _Raw(body))

    return handler


def _xml_error(code: str, status: int) -> Any:
    def handler(request: Any, **_: Any) -> AWSResponse:
        body = (
            f"<Response><Errors><Error><Code>{code}</Code><Message>injected {code}</Message></Error></Errors>"
            f"<RequestID>fault</RequestID></Response>"
        ).encode()
        return AWSResponse(request.url, status, {"Content-Type": "text/xml"}, _Raw(body))

    return handler


def _timeout(request: Any, **_: Any) -> None:
    raise ReadTimeoutError(endpoint_url=request.url)


def inject(
    session: Any,
    event: str,
    kind: str,
    code: str = "AccessDeniedException",
    status: int = 403,
    counter: list[int] | None = None,
) -> None:
    """kind: 'json' or 'xml' error response, or 'timeout'. ``counter`` counts how often it fired."""
    handler = {"json": _json_error(code, status), "xml": _xml_error(code, status), "timeout": _timeout}[kind]

    def counted(**kwargs: Any) -> Any:
        if counter is not None:
            counter[0] += 1
        return handler(**kwargs)

    session.events.register_first(f"before-send.{event}", counted)
