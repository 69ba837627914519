"""The location sweep: every resource of the account with its region, from AWS's own inventory services.

The detailed collectors only see the types this tool knows, in the regions scanned. An assessor signing
"all data stays in mainland China" needs every resource, so this lists the whole account once, by the
best method the account has set up:

1. Resource Explorer ``Search`` over the default view of the aggregator index's region (or of a region
   with a local index, which sees only that region);
2. AWS Config advanced query ``SelectResourceConfig`` in every region whose recorder is recording;
3. the Resource Groups Tagging API ``GetResources`` in every region, which only sees resources that have
   or had tags, so the sweep is then always incomplete.

A method that is not set up, or is denied, hands over to the next; the task's coverage is denied/error
only when none gives a listing. What the chosen method cannot see goes into ``task.extra["sweep"]``,
which collect() copies to ``inv.scope["sweep"]``.
"""

from __future__ import annotations

import json
from typing import Any

from providers.aws.client import RepeatedToken
from providers.aws.transport import AwsTransport
from scanner.collect import ABSENT, Task

RE2 = "resource-explorer-2"
Rows = list[tuple[dict[str, Any], str]]

# Search counts at most 1,000 matches per query (ResourceCount.Complete false beyond that)
SEARCH_PAGE = 1000
CONFIG_SQL = "SELECT resourceId, resourceName, resourceType, awsRegion, arn, configurationItemStatus"
CONFIG_PAGE = 100  # SelectResourceConfig Limit: max 100
GONE = {"ResourceDeleted", "ResourceDeletedNotRecorded", "ResourceNotRecorded"}

LIMITS = {
    "resource-explorer": "Resource Explorer lists only the resource types it supports, in regions that have an index.",
    "config": "AWS Config lists only the resource types its recorders record, in regions where a recorder is on.",
    "tagging-api": "The tagging API lists only resources that have or once had tags, so untagged resources are unseen.",
}


class Skip(Exception):
    """A method that is not set up in this account (no index, no recorder): try the next, nothing failed."""


def sweep(task: Task[AwsTransport]) -> Rows:
    """Try each method in turn; record how the first that works saw the account."""
    ctx = task.transport.ctx
    failures: list[tuple[BaseException, str]] = []
    skipped: list[str] = []
    for method, service, fn in (
        ("resource-explorer", RE2, _resource_explorer),
        ("config", "config", _config),
        ("tagging-api", "resourcegroupstaggingapi", _tagging),
    ):
        if not ctx.available(service):
            skipped.append(f"{method}: {service} is not available in partition {ctx.partition}")
            continue
        try:
            rows, gaps = fn(task)
        except Skip as e:
            skipped.append(f"{method}: {e}")
            continue
        except RepeatedToken:  # a server that pages in a loop is a fault, not a method that is not set up
            raise
        except Exception as e:  # denied, throttled, unreachable: the next method may still work
            failures.append((e, service))
            skipped.append(f"{method}: {type(e).__name__}: {str(e)[:160]}")
            continue
        complete = method != "tagging-api" and not gaps
        limits = " ".join([LIMITS[method], *gaps])
        task.extra["sweep"] = {"method": method, "complete": complete, "limits": limits, "skipped": skipped}
        return rows  # a record without a region stays on the task's label, "global", and no check judges it
    for exc, service in failures:
        task.record(exc, task.op(getattr(exc, "operation_name", "?"), service=service))
    if not failures:  # nothing raised, nothing set up (cannot happen while the tagging API exists)
        task.note_problem("error", "no whole-account listing method is available", None)
    task.extra["sweep"] = {"method": "none", "complete": False, "skipped": skipped}
    return []


def _resource_explorer(task: Task[AwsTransport]) -> tuple[Rows, list[str]]:
    """Search every resource through a default view; split per region when one query hits the 1,000 cap."""
    indexes = task.call("ListIndexes", {}, service=RE2, items="Indexes")  # ListIndexes -> Indexes[].{Region, Type}
    if not indexes:
        raise Skip("Resource Explorer has no index in this account")
    indexed = sorted({i["Region"] for i in indexes if i.get("Region")})
    aggregators = [i["Region"] for i in indexes if i.get("Type") == "AGGREGATOR"]
    home = task.transport.ctx.home_region
    region = aggregators[0] if aggregators else (home if home in indexed else indexed[0])
    got = task.call(
        "GetDefaultView", {}, service=RE2, region=region, paginate=False, absent=["ResourceNotFoundException"]
    )
    view = None if got is ABSENT else got.get("ViewArn")
    if not view:
        raise Skip(f"Resource Explorer has no default view in {region}")
    detail = task.call("GetView", {"ViewArn": view}, service=RE2, region=region, paginate=False)
    filters = ((detail.get("View") or {}).get("Filters") or {}).get("FilterString") or ""

    gaps = []
    if not aggregators:
        gaps.append(f"There is no aggregator index, so only {region} was searched.")
    missing = sorted(set(task.transport.ctx.regions_available) - set(indexed))
    if aggregators and missing:
        gaps.append(f"Regions without an index: {', '.join(missing)}.")
    if filters:
        gaps.append(f"The default view filters resources ({filters}).")
    rows, complete = _search(task, region, view, "")
    if not complete:
        rows = []
        for r in [*(indexed if aggregators else [region]), "global"]:
            part, complete = _search(task, region, view, f"region:{r}")
            rows.extend(part)
            if not complete:
                gaps.append(f"Search stopped counting at 1,000 resources in {r}.")
    mine = [row for row in rows if row.get("OwningAccountId") in (None, task.account)]
    return [(row, row.get("Region") or "") for row in mine], gaps


def _search(task: Task[AwsTransport], region: str, view: str, query: str) -> tuple[list[dict[str, Any]], bool]:
    """All pages of one Search; the flag is ResourceCount.Complete (false once 1,000 matches were counted)."""
    rows: list[dict[str, Any]] = []
    complete = True
    params = {"QueryString": query, "ViewArn": view, "MaxResults": SEARCH_PAGE}
    search = task.op("Search", service=RE2, region=region)
    for page in task.transport.pages(task, search, params, token="NextToken"):  # guards repeats
        rows.extend(page.get("Resources") or [])
        if (page.get("Count") or {}).get("Complete") is False:
            complete = False
    return rows, complete


def _config(task: Task[AwsTransport]) -> tuple[Rows, list[str]]:
    """Advanced query in every region whose recorder is on (SelectResourceConfig sees one account and region)."""
    rows: Rows = []
    unseen, partial, failed = [], [], []
    regions = task.transport.ctx.regions_available
    for region in regions:
        try:
            status = task.call(
                "DescribeConfigurationRecorderStatus", {}, service="config", region=region, paginate=False
            )
            recorders = task.call("DescribeConfigurationRecorders", {}, service="config", region=region, paginate=False)
        except Exception as e:
            failed.append((region, e))
            continue
        if not any(s.get("recording") for s in status.get("ConfigurationRecordersStatus") or []):
            unseen.append(region)
            continue
        groups = [r.get("recordingGroup") or {} for r in recorders.get("ConfigurationRecorders") or []]
        if not any(g.get("allSupported") for g in groups):
            partial.append(region)
        results = task.call(
            "SelectResourceConfig",
            {"Expression": CONFIG_SQL, "Limit": CONFIG_PAGE},
            service="config",
            region=region,
            items="Results",
        )
        for raw in results:
            item = json.loads(raw) if isinstance(raw, str) else dict(raw)
            if item.get("configurationItemStatus") in GONE:
                continue
            rows.append((item, item.get("awsRegion") or region))
    if failed and len(failed) == len(regions):
        raise failed[0][1]
    if len(unseen) + len(failed) == len(regions):
        raise Skip("no AWS Config recorder is recording")
    gaps = []
    if unseen:
        gaps.append(f"No recorder is on in {', '.join(unseen)}.")
    if partial:
        gaps.append(f"Recorders in {', '.join(partial)} record only selected types.")
    if failed:
        gaps.append(f"Could not read AWS Config in {', '.join(r for r, _ in failed)}.")
    return rows, gaps


def _tagging(task: Task[AwsTransport]) -> tuple[Rows, list[str]]:
    """GetResources in every region: each resource is listed in its own region's endpoint."""
    seen: dict[str, tuple[dict[str, Any], set[str]]] = {}  # ARN -> (record, regions whose endpoint listed it)
    failed = []
    every = task.transport.ctx.regions_available
    for region in every:
        try:
            got = task.call(
                "GetResources", {}, service="resourcegroupstaggingapi", region=region, items="ResourceTagMappingList"
            )
        except Exception as e:
            failed.append((region, e))
            continue
        for item in got:
            arn = item.get("ResourceARN") or ""
            seen.setdefault(arn, ({**item, "ResourceType": type_from_arn(arn)}, set()))[1].add(region)
    if failed and len(failed) == len(every):
        raise failed[0][1]
    rows: Rows = []
    unplaced = 0
    for arn, (item, regions) in seen.items():
        # the ARN's own region is authoritative; a region-less ARN (S3) takes the one endpoint that listed it
        region = _arn_region(arn) or (next(iter(regions)) if len(regions) == 1 else "")
        unplaced += not region
        rows.append((item, region))
    gaps = [f"Could not read the tagging API in {', '.join(r for r, _ in failed)}."] if failed else []
    if unplaced:
        gaps.append(
            f"{unplaced} resource(s) without a region in their ARN were listed by several regions and not placed."
        )
    return rows, gaps


def _arn_region(arn: str) -> str:
    parts = arn.split(":", 5)
    return parts[3] if len(parts) == 6 else ""


# ARNs whose resource part is a bare name (arn:aws:s3:::bucket, arn:aws:sns:region:account:topic)
_BARE = {"s3": "bucket", "sns": "topic", "sqs": "queue"}


def type_from_arn(arn: str) -> str:
    """The type as Resource Explorer names it ("ec2:instance"), from an ARN: the tagging API gives no type."""
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return "unknown"
    service, resource = parts[2], parts[5]
    for sep in ("/", ":"):
        if sep in resource:
            return f"{service}:{resource.split(sep, 1)[0]}"
    return f"{service}:{_BARE[service]}" if service in _BARE else service
