"""The AWS transport of the collection spine (scanner.collect): botocore calls, guarded paging, failures read.

An operation's options are ``service`` (botocore's name; the type's own unless a detail, join or hook names
another), ``region`` (default: the task's) and, for a list operation botocore has no paginator for,
``page_token`` (the field it pages by, e.g. WAFv2 NextMarker). Every call goes through ``AwsContext.client``,
whose before-call guard counts it and refuses anything that is not a read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import jmespath
from botocore import xform_name
from botocore.exceptions import ClientError, PaginationError

from providers.aws.client import AwsContext, RepeatedToken, action_name, classify, is_read, output_tokens
from scanner.collect import Failure, Op, Placement, Task, TypeSpec
from scanner.model import Coverage, CoverageStatus


class EmptyAnswer(RuntimeError):
    """A 200 whose body held nothing at all (a proxy, a truncated answer): never "no resources"."""


def _not_empty(page: Any, service: str, operation: str) -> None:
    """AWS answers a listing with its (possibly empty) list; a body with no output member at all is broken."""
    if isinstance(page, dict) and not any(k != "ResponseMetadata" for k in page):
        raise EmptyAnswer(f"{service}:{operation} answered 200 with an empty body; the list was not read")


def _present(params: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None}


class AwsTransport:
    """One AWS account (an ``AwsContext``) as the spine sees it."""

    provider = "aws"

    def __init__(self, ctx: AwsContext) -> None:
        self.ctx = ctx

    # ---- where each type runs

    def plan(self, spec: TypeSpec) -> tuple[list[Placement], list[Coverage]]:
        """Per region where the service exists (NOT_AVAILABLE elsewhere, per botocore's endpoint data); a global
        or account type once, from the partition's home region."""
        ctx, service = self.ctx, spec.op.opts["service"]
        if not ctx.available(service):
            reason = f"{service} is not available in partition {ctx.partition}"
            regions = ["global"] if spec.scope != "regional" else ctx.regions
            return [], [Coverage(ctx.account, r, spec.type, CoverageStatus.NOT_AVAILABLE, reason) for r in regions]
        if spec.scope != "regional":
            home = ctx.home_region if ctx.home_region in ctx.regions or not ctx.regions else ctx.regions[0]
            return [Placement(home, "global", ctx.account)], []
        in_service = set(ctx.service_regions(service))
        tasks = [Placement(r, r, ctx.account) for r in ctx.regions if r in in_service]
        missing = [
            Coverage(ctx.account, r, spec.type, CoverageStatus.NOT_AVAILABLE, f"{service} is not available in {r}")
            for r in ctx.regions
            if r not in in_service
        ]
        return tasks, missing

    def prepare(self, tasks: Sequence[Task[Any]]) -> None:
        return None

    # ---- calls

    def _client(self, task: Task[Any], op: Op) -> Any:
        return self.ctx.client(op.opts["service"], op.opts.get("region") or task.region)

    def call(self, task: Task[Any], op: Op, params: Mapping[str, Any]) -> Any:
        resp = getattr(self._client(task, op), xform_name(op.name))(**_present(params))
        resp.pop("ResponseMetadata", None)
        return resp

    def paginate(self, task: Task[Any], op: Op, params: Mapping[str, Any], items: str) -> list[Any]:
        """botocore's paginator where there is one, else by hand with ``page_token``; either way a token that
        comes back a second time raises RepeatedToken, so the type ends with an error instead of looping."""
        service, client = op.opts["service"], self._client(task, op)
        token = op.opts.get("page_token")
        params = _present(params)
        try:
            if client.can_paginate(xform_name(op.name)):
                pages: Iterable[Any] = self._paginated(client, service, op.name, params)
            elif token:
                pages = self.pages(task, op, params, token=token)
            else:  # one answer: its items, which must be there
                resp = self.call(task, op, params)
                _not_empty(resp, service, op.name)
                got = jmespath.search(items, resp)
                if got is None:
                    raise EmptyAnswer(f"{service}:{op.name} answered without {items}; the list was not read")
                return got if isinstance(got, list) else [got]
            out: list[Any] = []
            expr = jmespath.compile(items)
            for page in pages:
                _not_empty(page, service, op.name)
                got = expr.search(page)
                if isinstance(got, list):
                    out.extend(got)
                elif got is not None:
                    out.append(got)
            return out
        except PaginationError as e:  # botocore's own guard: the same token twice in a row
            raise RepeatedToken(f"{service}:{op.name}", str(e)) from None

    def _paginated(self, client: Any, service: str, operation: str, params: dict[str, Any]) -> Iterator[Any]:
        """botocore's pages, refusing a token seen on any earlier page (botocore only compares neighbours)."""
        outs = [jmespath.compile(t) for t in output_tokens(service, operation)]
        seen: set[str] = set()
        for page in client.get_paginator(xform_name(operation)).paginate(**params):
            yield page
            tok = repr([o.search(page) for o in outs])
            if all(o.search(page) in (None, "", [], {}) for o in outs):
                continue
            if tok in seen:
                raise RepeatedToken(f"{service}:{operation}", f"the paging token {tok} came back a second time")
            seen.add(tok)

    def pages(self, task: Task[Any], op: Op, params: Mapping[str, Any], *, token: str) -> Iterator[dict[str, Any]]:
        """Every page of an operation botocore has no paginator for, by hand: ``token`` is both the response's
        next-page field and the request parameter (WAFv2 NextMarker, Resource Explorer NextToken)."""
        params, seen = dict(params), set()
        while True:
            page = self.call(task, op, params)
            yield page
            nxt = page.get(token)
            if not nxt:
                return
            if nxt in seen:
                raise RepeatedToken(
                    f"{op.opts['service']}:{op.name}", f"{token} {str(nxt)[:80]!r} came back a second time"
                )
            seen.add(nxt)
            params[token] = nxt

    # ---- failures and permissions

    def absent_key(self, exc: BaseException) -> str | int | None:
        if isinstance(exc, ClientError):
            return str(exc.response.get("Error", {}).get("Code"))
        return None

    def classify(self, exc: BaseException, op: Op) -> Failure:
        status, reason, _ = classify(exc)
        if status != "denied":
            return CoverageStatus.ERROR, reason, None
        name = getattr(exc, "operation_name", None) or op.name or "?"
        return CoverageStatus.DENIED, reason, action_name(op.opts["service"], name)

    @staticmethod
    def is_read(op: Op) -> bool:
        return is_read(op.opts["service"], op.name)

    @staticmethod
    def permission(op: Op) -> str:
        return action_name(op.opts["service"], op.name)

    def region_of(self, data: Mapping[str, Any]) -> str | None:
        return None
