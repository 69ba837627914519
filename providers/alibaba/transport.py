"""The Alibaba Cloud transport of the collection spine (scanner.collect): OpenAPI calls, the four paging styles
under one guard, product-SDK reads (OSS, SLS), failures read.

An operation's options are ``product`` and ``version`` (the type's own unless a detail, declared action or hook
names others), ``style``/``pathname``/``method`` (default RPC, "/", POST) and, to page, ``paging`` (token:
NextToken/MaxResults; page: PageNumber/PageSize/TotalCount; marker: Marker/MaxItems/IsTruncated; none) with
``page_size``, ``page_param`` and ``total``. Every request, whichever client sends it, passes the context's one
read gate and counter (``AlibabaContext.admit``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import jmespath

from providers.alibaba.client import (
    CENTRAL_REGION,
    AlibabaContext,
    ApiError,
    WriteAttempt,
    classify,
    is_read,
    normalise,
    ram_action,
)
from scanner.collect import Failure, Op, Placement, Task, TypeSpec
from scanner.model import Coverage, CoverageStatus

PAGING = ("none", "token", "page", "marker")  # the styles resources.schema.json admits
DEFAULT_REGION = "cn-hangzhou"  # where an account-wide product is called from, unless CENTRAL_REGION says otherwise
SDK_READS = ("get_", "list_")  # the only product-SDK methods ever called
# OSS "not configured" answers: the field is null, not missing
OSS_ABSENT = {
    "NoSuchBucketPolicy",
    "NoSuchServerSideEncryptionRule",
    "NoSuchReplicationConfiguration",
    "ServerSideEncryptionConfigurationNotFoundError",
}
SLS_GONE = {"ProjectNotExist", "LogStoreNotExist"}  # a project or logstore deleted between two calls


class PageGuard:
    """Stops a list that would loop or end short: a continuation token that repeats, a page past the total,
    an empty page while the total says more, a short page before the end, or a total that is missing. Each
    raises ``ApiError("PagingError")``, so that type (in that region) ends with an ERROR coverage record that
    says why, never an endless loop and never a silently truncated list."""

    MAX_PAGES = 100_000

    def __init__(self, action: str, product: str) -> None:
        self.action, self.product = action, product
        self.tokens: set[str] = set()
        self.pages = 0

    def fail(self, why: str) -> ApiError:
        return ApiError("PagingError", f"{why}; the list was not completed", self.action, self.product)

    def token(self, token: Any, name: str = "NextToken") -> None:
        self.pages += 1
        if token in (None, ""):
            raise self.fail(f"the response says there is more but gives no {name}")
        if token in self.tokens:
            raise self.fail(f"{name} {str(token)[:40]!r} came back a second time (page {self.pages + 1})")
        self.tokens.add(token)
        if self.pages > self.MAX_PAGES:
            raise self.fail(f"more than {self.MAX_PAGES} pages")

    def page_done(self, page: int, got: int, seen: int, size: int, total: Any) -> bool:
        """True when the list is complete after page ``page`` (``got`` items on it, ``seen`` so far)."""
        try:
            total = int(total)
        except (TypeError, ValueError):
            raise self.fail(f"page {page} has no total count ({total!r})") from None
        if seen > total:
            raise self.fail(f"page {page} takes the count to {seen}, past the total of {total}")
        if seen == total:
            return True
        if got == 0:
            raise self.fail(f"page {page} came back empty with {seen} of {total} items read")
        if got < size:
            raise self.fail(f"page {page} holds {got} items, not the {size} asked for, with {seen} of {total} read")
        if page >= self.MAX_PAGES:
            raise self.fail(f"more than {self.MAX_PAGES} pages")
        return False


class AlibabaTransport:
    """One Alibaba Cloud account (an ``AlibabaContext``) as the spine sees it."""

    provider = "alibaba"

    def __init__(self, ctx: AlibabaContext) -> None:
        self.ctx = ctx

    def plan(self, spec: TypeSpec) -> tuple[list[Placement], list[Coverage]]:
        """Every scanned region; a global or account type once, from its product's central region."""
        if spec.scope != "regional":
            region = CENTRAL_REGION.get(spec.op.opts.get("product", ""), DEFAULT_REGION)
            return [Placement(region, "global", self.ctx.account)], []
        return [Placement(r, r, self.ctx.account) for r in self.ctx.regions], []

    def prepare(self, tasks: Sequence[Task[Any]]) -> None:
        return None

    # ---- OpenAPI

    def _send(self, task: Task[Any], op: Op, query: Mapping[str, Any]) -> dict[str, Any]:
        o = op.opts
        return self.ctx.call(
            o["product"],
            str(o["version"]),
            op.name,
            task.region,
            dict(query),
            o.get("style", "RPC"),
            o.get("pathname", "/"),
            o.get("method", "POST"),
        )

    def call(self, task: Task[Any], op: Op, params: Mapping[str, Any]) -> Any:
        """One action; the body without its RequestId (an envelope field, never resource data)."""
        return {k: v for k, v in self._send(task, op, params).items() if k != "RequestId"}

    def paginate(self, task: Task[Any], op: Op, params: Mapping[str, Any], items: str) -> list[Any]:
        """Every page in the action's ``paging`` style, under one PageGuard; ``none``: the one answer's items."""
        o = op.opts
        style = o.get("paging", "none")
        product = o.get("product", "")
        if style not in PAGING:  # a hook's typo: an unknown style would never end the loop below
            raise ApiError("PagingError", f"unknown paging style {style!r}", op.name, product)
        expr = jmespath.compile(items)
        if style == "none":
            got = expr.search(self._send(task, op, params))
            return [] if got is None else got if isinstance(got, list) else [got]
        guard = PageGuard(op.name, product)
        size, page_param, total = int(o.get("page_size", 50)), o.get("page_param", "PageNumber"), o.get("total")
        outer = items.split(".", 1)[0]
        out: list[Any] = []
        token: str | None = None
        page = 1
        while True:
            q = dict(params)
            if style == "token":
                q["MaxResults"] = size
                if token:
                    q["NextToken"] = token
            elif style == "page":
                q[page_param], q["PageSize"] = page, size
            else:  # marker
                q["MaxItems"] = size
                if token:
                    q["Marker"] = token
            body = self._send(task, op, q)
            if items != "@" and isinstance(body, dict) and outer not in body:
                # a 200 without the list (a proxy's answer, a truncated body) is not "none": stop with an error
                raise guard.fail(f"page {page} has no {outer!r} in the answer")
            got = expr.search(body) or []
            got = got if isinstance(got, list) else [got]
            out.extend(got)
            if style == "token":
                token = body.get("NextToken")
                if not token:
                    return out
                guard.token(token)
            elif style == "page":
                count = jmespath.search(total, body) if total else body.get("TotalCount", body.get("TotalRecordCount"))
                if guard.page_done(page, len(got), len(out), size, count):
                    return out
                page += 1
            else:
                if not body.get("IsTruncated"):
                    return out
                token = body.get("Marker")
                guard.token(token, "Marker")

    # ---- product SDKs the OpenAPI client cannot speak for

    def oss(self, obj: Any, method: str, action: str) -> Any:
        """One oss2 ``get_*``/``list_*`` call (OSS speaks XML with its own signature). An OssError becomes an
        ApiError with OSS's own code; a "not configured" code answers None."""
        import oss2

        try:
            self.ctx.admit("oss", action, method.startswith(SDK_READS), f" (oss2 method {method})")
            return getattr(obj, method)()
        except WriteAttempt as e:
            raise ApiError("WriteRefused", str(e), action, "oss") from None
        except oss2.exceptions.OssError as e:
            code = getattr(e, "code", "") or type(e).__name__
            if code in OSS_ABSENT:
                return None
            message = str(getattr(e, "message", ""))[:200]
            raise ApiError(code, message, action, "oss", getattr(e, "status", None)) from None
        except Exception as e:
            code = "Timeout" if "timed out" in str(e).lower() else "ConnectionError"
            raise ApiError(code, str(e)[:200], action, "oss") from None

    def sls(self, action: str, fn: Callable[..., Any], *args: Any) -> Any:
        """One SLS SDK ``list_*``/``get_*`` call (SLS has project-prefixed hosts and its own signature): the
        answer's body as a dict; None when the project or logstore no longer exists."""
        name = getattr(fn, "__name__", "")
        try:
            self.ctx.admit("log", action, name.startswith(SDK_READS), f" (SLS method {name})")
            return fn(*args).body.to_map()
        except Exception as e:
            err = normalise(e, action, "log")
            if err.code in SLS_GONE:
                return None
            raise err from None

    # ---- failures and permissions

    def absent_key(self, exc: BaseException) -> str | int | None:
        return exc.code if isinstance(exc, ApiError) else None

    def classify(self, exc: BaseException, op: Op) -> Failure:
        err = normalise(exc, getattr(exc, "action", op.name), getattr(exc, "product", op.opts.get("product", "")))
        status, reason = classify(err)
        if status != "denied":
            return CoverageStatus.ERROR, reason, None
        return CoverageStatus.DENIED, reason, ram_action(err.product, err.action)

    @staticmethod
    def is_read(op: Op) -> bool:
        return is_read(op.name)

    @staticmethod
    def permission(op: Op) -> str:
        return ram_action(op.opts["product"], op.name)

    def region_of(self, data: Mapping[str, Any]) -> str | None:
        return None
