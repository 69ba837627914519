"""A local fake of the Alibaba Cloud OpenAPI (and of OSS), for tests, benchmarks and the demo.

It listens on 127.0.0.1 only. The real SDKs are pointed at it (``endpoint="127.0.0.1:PORT"``,
``protocol="http"``); it verifies each request's signature (ACS3-HMAC-SHA256 for OpenAPI, OSS V1 for
OSS), answers each action with a body shaped like the documented response, pages results the way each
API does, and injects faults per action (permission denied, throttling, timeout).

The account is described by a scenario (YAML or dict): ``collections`` hold list items per region in
API shape; ``details`` hold detail responses keyed by the id the request names. See
``providers/alibaba/sim/scenarios/company.yaml``.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
import socket
import threading
import time
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit
from xml.sax.saxutils import escape

import yaml

FAKE_AK = "LTAI5tFakeAccessKeyId0001"
FAKE_SK = "FakeAccessKeySecretForTheLocalTestServer"
SCENARIOS = Path(__file__).resolve().parent / "scenarios"


@dataclass(frozen=True)
class Listing:
    collection: str
    items: str  # dotted path where the documented response nests the list, e.g. "Instances.Instance"
    paging: str  # token | page | rds-page | marker | sas | rc | cms-page | cms-pagenumber | none
    regional: bool = True
    filters: tuple[str, ...] = ()  # request parameters that filter items by equal field
    counts: type = int  # the type the response model gives TotalCount/PageNumber/PageSize (VPC: some are str)


@dataclass(frozen=True)
class Detail:
    key: str  # request parameter naming the object
    missing: str = "EntityNotExist"  # error code when the scenario has no answer
    # a detail whose list is paged: (dotted path of the list, style). "slb-page": Page/PageSize (default 10),
    # total in TotalAclEntry; "token": MaxResults/NextToken (default 500), no total
    pages: tuple[str, str] | None = None


# (version, action) -> how to answer. Versions tell products apart (ECS vs Redis DescribeInstances).
LISTINGS: dict[tuple[str, str], Listing] = {
    ("2014-05-26", "DescribeInstances"): Listing("ecs.instances", "Instances.Instance", "token"),
    ("2014-05-26", "DescribeDisks"): Listing("ecs.disks", "Disks.Disk", "token"),
    ("2014-05-26", "DescribeSnapshots"): Listing("ecs.snapshots", "Snapshots.Snapshot", "token"),
    ("2014-05-26", "DescribeImages"): Listing("ecs.images", "Images.Image", "page"),
    ("2014-05-26", "DescribeSecurityGroups"): Listing("ecs.security_groups", "SecurityGroups.SecurityGroup", "token"),
    ("2014-05-26", "DescribeAutoSnapshotPolicyEx"): Listing(
        "ecs.auto_snapshot_policies", "AutoSnapshotPolicies.AutoSnapshotPolicy", "page"
    ),
    ("2016-04-28", "DescribeVpcs"): Listing("vpc.vpcs", "Vpcs.Vpc", "page"),
    ("2016-04-28", "DescribeVSwitches"): Listing("vpc.vswitches", "VSwitches.VSwitch", "page"),
    ("2016-04-28", "DescribeFlowLogs"): Listing(
        "vpc.flow_logs", "FlowLogs.FlowLog", "page", filters=("ResourceId", "ResourceType"), counts=str
    ),
    # PageNumber/PageSize only (no NextToken), counts as strings
    ("2016-04-28", "DescribeNetworkAcls"): Listing("vpc.network_acls", "NetworkAcls.NetworkAcl", "page", counts=str),
    ("2016-04-28", "DescribeEipAddresses"): Listing("vpc.eips", "EipAddresses.EipAddress", "page"),
    ("2014-05-15", "DescribeLoadBalancers"): Listing("slb.load_balancers", "LoadBalancers.LoadBalancer", "page"),
    ("2014-05-15", "DescribeAccessControlLists"): Listing("slb.acls", "Acls.Acl", "page"),
    ("2015-05-01", "ListUsers"): Listing("ram.users", "Users.User", "marker", regional=False),
    ("2015-05-01", "ListPolicies"): Listing(
        "ram.policies", "Policies.Policy", "marker", regional=False, filters=("PolicyType",)
    ),
    ("2015-05-01", "ListGroups"): Listing("ram.groups", "Groups.Group", "marker", regional=False),
    ("2020-07-06", "DescribeTrails"): Listing("actiontrail.trails", "TrailList", "none"),
    # TotalRecordCount, PageRecordCount, PageNumber (no TotalCount, no PageSize)
    ("2014-08-15", "DescribeDBInstances"): Listing("rds.instances", "Items.DBInstance", "rds-page"),
    ("2015-01-01", "DescribeInstances"): Listing("kvstore.instances", "Instances.KVStoreInstance", "page"),
    ("2016-01-20", "ListKeys"): Listing("kms.keys", "Keys.Key", "page"),
    ("2018-12-03", "DescribeCloudCenterInstances"): Listing("sas.instances", "Instances", "sas", regional=False),
    # ResourceCenter 2022-12-01: NextToken/MaxResults, no total, no NextToken on the last page, Filters echoed
    ("2022-12-01", "SearchResources"): Listing("resourcecenter.resources", "Resources", "rc", regional=False),
    # CMS 2019-01-01: Page/PageSize with Total as a string; PageNumber/PageSize with Total as an integer
    ("2019-01-01", "DescribeMetricRuleList"): Listing("cms.metric_rules", "Alarms.Alarm", "cms-page", regional=False),
    ("2019-01-01", "DescribeEventRuleList"): Listing(
        "cms.event_rules", "EventRules.EventRule", "cms-pagenumber", regional=False
    ),
}
DETAILS: dict[tuple[str, str], Detail] = {
    ("2014-05-26", "DescribeSecurityGroupAttribute"): Detail(
        "SecurityGroupId", "InvalidSecurityGroupId.NotFound", pages=("Permissions.Permission", "token")
    ),
    ("2014-05-26", "DescribeImageSharePermission"): Detail("ImageId", "InvalidImageId.NotFound"),
    ("2014-05-15", "DescribeLoadBalancerAttribute"): Detail("LoadBalancerId", "InvalidLoadBalancerId.NotFound"),
    ("2014-05-15", "DescribeAccessControlListAttribute"): Detail(
        "AclId", "AclNotExist", pages=("AclEntrys.AclEntry", "slb-page")
    ),
    ("2014-05-15", "DescribeLoadBalancerHTTPSListenerAttribute"): Detail("LoadBalancerId+ListenerPort"),
    ("2014-05-15", "DescribeLoadBalancerHTTPListenerAttribute"): Detail("LoadBalancerId+ListenerPort"),
    ("2014-05-15", "DescribeLoadBalancerTCPListenerAttribute"): Detail("LoadBalancerId+ListenerPort"),
    ("2014-05-15", "DescribeLoadBalancerUDPListenerAttribute"): Detail("LoadBalancerId+ListenerPort"),
    ("2015-05-01", "GetLoginProfile"): Detail("UserName", "EntityNotExist.User.LoginProfile"),
    ("2015-05-01", "GetUserMFAInfo"): Detail("UserName", "EntityNotExist.User.MFADevice"),
    ("2015-05-01", "ListAccessKeys"): Detail("UserName", "EntityNotExist.User"),
    ("2015-05-01", "GetAccessKeyLastUsed"): Detail("UserAccessKeyId", "EntityNotExist.User.AccessKey"),
    ("2015-05-01", "ListPoliciesForUser"): Detail("UserName", "EntityNotExist.User"),
    ("2015-05-01", "ListGroupsForUser"): Detail("UserName", "EntityNotExist.User"),
    ("2015-05-01", "GetPolicy"): Detail("PolicyName", "EntityNotExist.Policy"),
    ("2015-05-01", "ListUsersForGroup"): Detail("GroupName", "EntityNotExist.Group"),
    ("2015-05-01", "GetUser"): Detail("UserName", "EntityNotExist.User"),
    ("2015-05-01", "GetPasswordPolicy"): Detail("-"),
    # IMS 2019-08-15 (the newer RAM API): MFAOperationForLogin lives here, not in RAM 2015-05-01
    ("2019-08-15", "GetSecurityPreference"): Detail("-"),
    ("2019-08-15", "GetAccountMFAInfo"): Detail("-"),
    ("2019-08-15", "GetAccountSecurityPracticeReport"): Detail("-"),
    ("2020-07-06", "GetTrailStatus"): Detail("Name", "TrailNotFoundException"),
    ("2014-08-15", "DescribeDBInstanceIPArrayList"): Detail("DBInstanceId", "InvalidDBInstanceId.NotFound"),
    ("2014-08-15", "DescribeDBInstanceNetInfo"): Detail("DBInstanceId", "InvalidDBInstanceId.NotFound"),
    ("2014-08-15", "DescribeDBInstanceTDE"): Detail("DBInstanceId", "InvalidDBInstanceId.NotFound"),
    ("2014-08-15", "DescribeDBInstanceSSL"): Detail("DBInstanceId", "InvalidDBInstanceId.NotFound"),
    ("2014-08-15", "DescribeSQLCollectorPolicy"): Detail("DBInstanceId", "InvalidDBInstanceId.NotFound"),
    ("2014-08-15", "DescribeSQLCollectorRetention"): Detail("DBInstanceId", "InvalidDBInstanceId.NotFound"),
    ("2014-08-15", "DescribeBackupPolicy"): Detail("DBInstanceId", "InvalidDBInstanceId.NotFound"),
    ("2014-08-15", "DescribeDBInstanceAttribute"): Detail("DBInstanceId", "InvalidDBInstanceId.NotFound"),
    ("2015-01-01", "DescribeSecurityIps"): Detail("InstanceId", "InvalidInstanceId.NotFound"),
    ("2015-01-01", "DescribeDBInstanceNetInfo"): Detail("InstanceId", "InvalidInstanceId.NotFound"),
    ("2015-01-01", "DescribeInstanceAttribute"): Detail("InstanceId", "InvalidInstanceId.NotFound"),
    ("2016-01-20", "DescribeKey"): Detail("KeyId", "Forbidden.KeyNotFound"),
    ("2018-12-03", "DescribeVersionConfig"): Detail("-"),
    ("2018-12-03", "DescribeNoticeConfig"): Detail("-"),
    ("2022-12-01", "GetResourceCenterServiceStatus"): Detail("-"),
    ("2022-12-01", "ListResourceTypes"): Detail("-"),
    ("2019-01-01", "DescribeEventRuleTargetList"): Detail("RuleName", "ResourceNotFound"),
}
OSS_SUBRESOURCES = ("acl", "bucketInfo", "encryption", "logging", "policy", "referer", "replication", "versioning")


def load_scenario(name_or_path: str | Path) -> dict[str, Any]:
    p = Path(name_or_path)
    if not p.exists():
        p = SCENARIOS / f"{name_or_path}.yaml"
    with open(p, encoding="utf-8") as f:
        return yaml.safe_load(f)


class FakeAlibabaCloud:
    """``with FakeAlibabaCloud(scenario) as fake: ... fake.endpoint`` -> '127.0.0.1:PORT'."""

    def __init__(
        self,
        scenario: dict[str, Any],
        *,
        access_key_id: str = FAKE_AK,
        access_key_secret: str = FAKE_SK,
        latency: float = 0.0,
    ) -> None:
        self.scenario = scenario
        self.ak, self.sk = access_key_id, access_key_secret
        self.latency = latency
        self.timeout_seconds = 5.0  # how long a "timeout" fault holds the request
        self.faults: dict[str, dict[str, Any]] = {}
        self.calls: list[tuple[str, str]] = []  # (action, region)
        # every answer sent: {api, version, action, query, status, body}; the contract tests read it
        self.exchanges: list[dict[str, Any]] = []
        self.served: set[tuple[str, str]] = set()  # (scenario details action, key) answered at least once
        self.signature_failures = 0
        self._lock = threading.Lock()
        self._servers: dict[str, ThreadingHTTPServer] = {}  # region ("*" = default) -> listener

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> dict[str, str]:
        """One loopback listener per region plus a default one, as the real cloud has one host per region
        (products such as ActionTrail and KMS take the region from the host, not from a parameter)."""
        fake = self
        for region in ["*", *self.scenario.get("regions", [])]:

            class Handler(_Handler):
                owner = fake
                region_of_host = None if region == "*" else region

            srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
            srv.daemon_threads = True
            srv.block_on_close = False  # stop() must not wait for a request held by a timeout fault
            threading.Thread(target=srv.serve_forever, name=f"fake-alibaba-{region}", daemon=True).start()
            self._servers[region] = srv
        return self.endpoints

    @property
    def endpoints(self) -> dict[str, str]:
        """Region -> host:port, "*" for calls without a region; what ``MLPS_ALIBABA_ENDPOINT`` takes as JSON."""
        return {r: "{}:{}".format(*s.server_address[:2]) for r, s in self._servers.items()}

    @property
    def endpoint(self) -> str:
        return self.endpoints["*"]

    def stop(self) -> None:
        for srv in self._servers.values():
            srv.shutdown()
            srv.server_close()
        self._servers = {}

    def __enter__(self) -> FakeAlibabaCloud:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def inject(self, action: str, kind: str, *, regions: list[str] | None = None, times: int | None = None) -> None:
        """kind: denied (403 Forbidden.RAM), throttle (400 Throttling.User), timeout (no answer in time)."""
        self.faults[action] = {"kind": kind, "regions": regions, "times": times}

    # -- answers ---------------------------------------------------------------------------------
    def answer(
        self, version: str, action: str, query: dict[str, str], host_region: str | None = None
    ) -> tuple[int, dict[str, Any]]:
        region = query.get("RegionId") or host_region or ""
        with self._lock:
            self.calls.append((action, region))
        sc = self.scenario
        if action == "GetCallerIdentity":
            acct = str(sc["account_id"])
            return 200, {
                "AccountId": acct,
                "UserId": "2300000000000001",
                "IdentityType": "RAMUser",
                "Arn": f"acs:ram::{acct}:user/mlps-scanner",
                "PrincipalId": "2300000000000001",
            }
        if action == "DescribeRegions":
            regions = [
                {"RegionId": r, "LocalName": r, "RegionEndpoint": f"ecs.{r}.aliyuncs.com"}
                for r in sc.get("regions", [])
            ]
            return 200, {"Regions": {"Region": regions}}
        key = (version, action)
        if key in LISTINGS:
            return 200, self._list(LISTINGS[key], query, region)
        if key in DETAILS:
            return self._detail(action, DETAILS[key], query)
        return 404, {"Code": "InvalidAction.NotFound", "Message": f"Specified api {action} is not found."}

    def _list(self, spec: Listing, query: dict[str, str], region: str) -> dict[str, Any]:
        coll = self.scenario.get("collections", {}).get(spec.collection, {})
        items = list(coll.get(region, []) if spec.regional else coll if isinstance(coll, list) else coll.get("*", []))
        for f in spec.filters:
            if f in query:
                items = [i for i in items if str(i.get(f)) == query[f]]
        body: dict[str, Any] = {}
        if spec.paging == "token":
            size = int(query.get("MaxResults", 10))
            start = int(query.get("NextToken") or 0)
            page = items[start : start + size]
            nxt = start + size
            body["NextToken"] = str(nxt) if nxt < len(items) else ""
            body["TotalCount"] = len(items)
        elif spec.paging == "page":
            size, number = int(query.get("PageSize", 10)), int(query.get("PageNumber", 1))
            page = items[(number - 1) * size : number * size]
            body.update(TotalCount=spec.counts(len(items)), PageNumber=spec.counts(number), PageSize=spec.counts(size))
        elif spec.paging == "rds-page":
            size, number = int(query.get("PageSize", 30)), int(query.get("PageNumber", 1))
            page = items[(number - 1) * size : number * size]
            body.update(TotalRecordCount=len(items), PageNumber=number, PageRecordCount=len(page))
        elif spec.paging == "marker":
            size = int(query.get("MaxItems", 100))
            start = int(query.get("Marker") or 0)
            page = items[start : start + size]
            body["IsTruncated"] = start + size < len(items)
            if body["IsTruncated"]:
                body["Marker"] = str(start + size)
        elif spec.paging == "sas":
            size, number = int(query.get("PageSize", 20)), int(query.get("CurrentPage", 1))
            page = items[(number - 1) * size : number * size]
            body["PageInfo"] = {"TotalCount": len(items), "CurrentPage": number, "PageSize": size, "Count": len(page)}
        elif spec.paging == "rc":
            size = int(query.get("MaxResults", 20))
            start = int(query.get("NextToken") or 0)
            page = items[start : start + size]
            body.update(Filters=[], MaxResults=size)
            if start + size < len(items):
                body["NextToken"] = str(start + size)
        elif spec.paging in ("cms-page", "cms-pagenumber"):
            number = int(query.get("Page" if spec.paging == "cms-page" else "PageNumber", 1))
            size = int(query.get("PageSize", 10))
            page = items[(number - 1) * size : number * size]
            if spec.paging == "cms-page":  # DescribeMetricRuleList: Code integer, Total string
                body.update(Success=True, Code=200, Total=str(len(items)))
            else:  # DescribeEventRuleList: Code string, Total integer
                body.update(Success=True, Code="200", Total=len(items))
        else:
            page = items
        _put(body, spec.items, page)
        return body

    def _detail(self, action: str, spec: Detail, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        answers = self.scenario.get("details", {}).get(action, {})
        if spec.key == "-":
            key = "*"
        elif "+" in spec.key:
            key = "/".join(query.get(k, "") for k in spec.key.split("+"))
        else:
            key = query.get(spec.key, "")
        if key not in answers:
            return 404, {"Code": spec.missing, "Message": f"The specified {spec.key} {key} does not exist."}
        with self._lock:
            self.served.add((action, key))
        body = copy.deepcopy(answers[key])
        if spec.pages:
            _page_detail(body, *spec.pages, query)
        return 200, body

    def record(self, api: str, version: str, action: str, query: dict[str, str], status: int, body: Any) -> None:
        with self._lock:
            self.exchanges.append(
                {"api": api, "version": version, "action": action, "query": dict(query), "status": status, "body": body}
            )

    def fault_for(self, action: str, region: str) -> dict[str, Any] | None:
        f = self.faults.get(action)
        if not f or (f["regions"] and region not in f["regions"]):
            return None
        with self._lock:
            if f["times"] is not None:
                if f["times"] <= 0:
                    return None
                f["times"] -= 1
        return f

    # -- OSS ---------------------------------------------------------------------------------------
    def oss(self, path: str, query: dict[str, str]) -> tuple[int, str, str]:
        """(status, content type, body) for an OSS GET in path style: / or /bucket/?sub."""
        buckets = {b["Name"]: b for b in self.scenario.get("oss", {}).get("buckets", [])}
        name = path.strip("/").split("/", 1)[0]
        with self._lock:
            self.calls.append(("oss:" + (next((s for s in OSS_SUBRESOURCES if s in query), "ListBuckets")), ""))
        if not name:
            rows = "".join(
                f"<Bucket><CreationDate>{b.get('CreationDate', '2025-01-01T00:00:00.000Z')}</CreationDate>"
                f"<ExtranetEndpoint>{b['Location']}.aliyuncs.com</ExtranetEndpoint>"
                f"<IntranetEndpoint>{b['Location']}-internal.aliyuncs.com</IntranetEndpoint>"
                f"<Location>{b['Location']}</Location><Name>{escape(b['Name'])}</Name>"
                f"<Region>{b['Location'].removeprefix('oss-')}</Region><StorageClass>Standard</StorageClass></Bucket>"
                for b in buckets.values()
            )
            return (
                200,
                "application/xml",
                (
                    '<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult><Owner><ID>'
                    f"{self.scenario['account_id']}</ID><DisplayName>{self.scenario['account_id']}</DisplayName></Owner>"
                    f"<Buckets>{rows}</Buckets></ListAllMyBucketsResult>"
                ),
            )
        b = buckets.get(name)
        if b is None:
            return _oss_error(404, "NoSuchBucket", "The specified bucket does not exist.")
        cfg = b.get("config", {})
        if "acl" in query:
            return (
                200,
                "application/xml",
                (
                    "<AccessControlPolicy><Owner><ID>1</ID><DisplayName>1</DisplayName></Owner><AccessControlList>"
                    f"<Grant>{cfg.get('acl', 'private')}</Grant></AccessControlList></AccessControlPolicy>"
                ),
            )
        if "bucketInfo" in query:
            return (
                200,
                "application/xml",
                (
                    f"<BucketInfo><Bucket><CreationDate>2025-01-01T00:00:00.000Z</CreationDate>"
                    f"<ExtranetEndpoint>{b['Location']}.aliyuncs.com</ExtranetEndpoint>"
                    f"<IntranetEndpoint>{b['Location']}-internal.aliyuncs.com</IntranetEndpoint>"
                    f"<Location>{b['Location']}</Location><StorageClass>Standard</StorageClass>"
                    f"<DataRedundancyType>{cfg.get('redundancy', 'LRS')}</DataRedundancyType>"
                    f"<Name>{escape(name)}</Name><Owner><DisplayName>1</DisplayName><ID>1</ID></Owner>"
                    f"<AccessControlList><Grant>{cfg.get('acl', 'private')}</Grant></AccessControlList>"
                    "</Bucket></BucketInfo>"
                ),
            )
        if "policy" in query:
            if "policy" not in cfg:
                return _oss_error(404, "NoSuchBucketPolicy", "The bucket policy does not exist.")
            return 200, "application/json", json.dumps(cfg["policy"])
        if "encryption" in query:
            if "encryption" not in cfg:
                return _oss_error(
                    404, "NoSuchServerSideEncryptionRule", "The server side encryption rule does not exist."
                )
            e = cfg["encryption"]
            return (
                200,
                "application/xml",
                (
                    "<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault>"
                    f"<SSEAlgorithm>{e['SSEAlgorithm']}</SSEAlgorithm>"
                    f"<KMSMasterKeyID>{e.get('KMSMasterKeyID', '')}</KMSMasterKeyID>"
                    "</ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>"
                ),
            )
        if "versioning" in query:
            status = f"<Status>{cfg['versioning']}</Status>" if cfg.get("versioning") else ""
            return 200, "application/xml", f"<VersioningConfiguration>{status}</VersioningConfiguration>"
        if "logging" in query:
            inner = (
                f"<LoggingEnabled><TargetBucket>{cfg['logging']['TargetBucket']}</TargetBucket>"
                f"<TargetPrefix>{cfg['logging'].get('TargetPrefix', '')}</TargetPrefix></LoggingEnabled>"
                if cfg.get("logging")
                else ""
            )
            return 200, "application/xml", f"<BucketLoggingStatus>{inner}</BucketLoggingStatus>"
        if "referer" in query:
            ref = cfg.get("referer", {})
            items = "".join(f"<Referer>{escape(r)}</Referer>" for r in ref.get("list", []))
            allow = "true" if ref.get("allow_empty", True) else "false"
            return (
                200,
                "application/xml",
                (
                    f"<RefererConfiguration><AllowEmptyReferer>{allow}</AllowEmptyReferer>"
                    f"<RefererList>{items}</RefererList></RefererConfiguration>"
                ),
            )
        if "replication" in query:
            rules = cfg.get("replication")
            if not rules:
                return _oss_error(
                    404, "NoSuchReplicationConfiguration", "The replication configuration does not exist."
                )
            xml = "".join(
                f"<Rule><ID>{r['ID']}</ID><Action>ALL</Action><Destination><Bucket>{r['TargetBucket']}</Bucket>"
                f"<Location>{r['TargetLocation']}</Location><TransferType>internal</TransferType></Destination>"
                f"<Status>doing</Status><HistoricalObjectReplication>enabled</HistoricalObjectReplication></Rule>"
                for r in rules
            )
            return 200, "application/xml", f"<ReplicationConfiguration>{xml}</ReplicationConfiguration>"
        return _oss_error(400, "InvalidArgument", "unsupported request")


def _oss_error(status: int, code: str, message: str) -> tuple[int, str, str]:
    return (
        status,
        "application/xml",
        (
            f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
            f"<Message>{message}</Message><RequestId>FAKE</RequestId>"
            "<HostId>127.0.0.1</HostId></Error>"
        ),
    )


def _page_detail(body: dict[str, Any], path: str, style: str, query: dict[str, str]) -> None:
    """Cut a detail answer's list to the page the request names, as the real action does."""
    cur: Any = body
    for p in path.split(".")[:-1]:
        cur = cur.get(p) or {}
    rows = list(cur.get(path.rsplit(".", 1)[-1]) or [])
    if style == "slb-page":
        size, number = int(query.get("PageSize", 10)), int(query.get("Page", 1))
        page = rows[(number - 1) * size : number * size]
        body["TotalAclEntry"] = len(rows)
    else:
        size, start = int(query.get("MaxResults", 500)), int(query.get("NextToken") or 0)
        page = rows[start : start + size]
        if start + size < len(rows):
            body["NextToken"] = str(start + size)
    _put(body, path, page)


def _put(body: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    cur = body
    for p in parts[:-1]:
        cur = cur.setdefault(p, {})
    cur[parts[-1]] = value


def _rfc3986(s: str) -> str:
    return quote(s, safe="-_.~")


def acs3_signature(
    secret: str,
    method: str,
    path: str,
    query: list[tuple[str, str]],
    headers: dict[str, str],
    signed: list[str],
    payload_hash: str,
) -> str:
    """Recompute ACS3-HMAC-SHA256 independently of the SDK (the fake's proof that signing really ran)."""
    canonical_query = "&".join(f"{_rfc3986(k)}={_rfc3986(v)}" for k, v in sorted(query))
    canonical_headers = "".join(f"{h}:{headers.get(h, '').strip()}\n" for h in signed)
    canonical = f"{method}\n{path}\n{canonical_query}\n{canonical_headers}\n{';'.join(signed)}\n{payload_hash}"
    to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
    return hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()


def sls_signature(secret: str, method: str, path: str, pairs: list[tuple[str, str]], headers: dict[str, str]) -> str:
    """The SLS gateway's v1 signature (HMAC-SHA256 when x-log-signaturemethod says so), recomputed here."""
    log_headers = "".join(f"{k}:{v}\n" for k, v in sorted(headers.items()) if "x-log-" in k or "x-acs-" in k)
    resource = path + ("?" + "&".join(f"{k}={v}" for k, v in sorted(pairs)) if pairs else "")
    to_sign = (
        f"{method}\n{headers.get('content-md5', '')}\n{headers.get('content-type', '')}\n"
        f"{headers.get('date', '')}\n{log_headers}{resource}"
    )
    return base64.b64encode(hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).digest()).decode()


def _window(rows: list[Any], query: dict[str, str], key: str) -> dict[str, Any]:
    offset, size = int(query.get("offset", 0)), int(query.get("size", 100))
    page = rows[offset : offset + size]
    return {"count": len(page), "total": len(rows), key: page}


def oss_v1_signature(secret: str, method: str, headers: dict[str, str], resource: str) -> str:
    oss_headers = "".join(f"{k}:{v.strip()}\n" for k, v in sorted(headers.items()) if k.startswith("x-oss-"))
    to_sign = (
        f"{method}\n{headers.get('content-md5', '')}\n{headers.get('content-type', '')}\n"
        f"{headers.get('date', '')}\n{oss_headers}{resource}"
    )
    return base64.b64encode(hmac.new(secret.encode(), to_sign.encode(), hashlib.sha1).digest()).decode()


class _Handler(BaseHTTPRequestHandler):
    owner: FakeAlibabaCloud
    region_of_host: str | None = None
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def setup(self) -> None:
        super().setup()
        # headers and body go out as separate small writes; without this, Nagle + delayed ACK add ~40 ms
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        fake = self.owner
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        pairs = parse_qsl(url.query, keep_blank_values=True)
        query = dict(pairs)
        headers = {k.lower(): v for k, v in self.headers.items()}
        if fake.latency:
            time.sleep(fake.latency)
        auth = headers.get("authorization", "")
        if url.scheme and (url.hostname or "").endswith(".log.aliyuncs.com"):
            return self._sls(url.hostname or "", url.path or "/", pairs, headers, auth)
        if auth.startswith("OSS "):
            return self._oss(url.path, pairs, query, headers, auth)
        action = headers.get("x-acs-action", "")
        version = headers.get("x-acs-version", "")
        if not self._acs3_ok(auth, url.path or "/", pairs, headers, body):
            fake.signature_failures += 1
            return self._json(400, {"Code": "SignatureDoesNotMatch", "Message": "signature mismatch"})
        fault = fake.fault_for(action, query.get("RegionId") or self.region_of_host or "")
        if fault:
            if fault["kind"] == "timeout":
                time.sleep(fake.timeout_seconds)  # longer than the client's read timeout; then hang up
                self.close_connection = True
                return None
            if fault["kind"] == "throttle":
                return self._json(
                    400, {"Code": "Throttling.User", "Message": "Request was denied due to user flow control."}
                )
            return self._json(
                403,
                {
                    "Code": "Forbidden.RAM",
                    "Message": f"User not authorized to operate on the "
                    f"specified resource, or this API doesn't support RAM. Action: {action}",
                },
            )
        status, out = fake.answer(version, action, query, self.region_of_host)
        out.setdefault("RequestId", "FAKE-" + hashlib.md5(self.path.encode()).hexdigest()[:12].upper())
        fake.record("openapi", version, action, query, status, out)
        self._json(status, out)

    def _acs3_ok(
        self, auth: str, path: str, pairs: list[tuple[str, str]], headers: dict[str, str], body: bytes
    ) -> bool:
        if not auth.startswith("ACS3-HMAC-SHA256 "):
            return False
        fields = dict(p.strip().split("=", 1) for p in auth[len("ACS3-HMAC-SHA256 ") :].split(","))
        if fields.get("Credential") != self.owner.ak:
            return False
        signed = fields.get("SignedHeaders", "").split(";")
        payload_hash = headers.get("x-acs-content-sha256", "")
        if payload_hash != hashlib.sha256(body).hexdigest():
            return False
        expected = acs3_signature(self.owner.sk, self.command, path, pairs, headers, signed, payload_hash)
        return hmac.compare_digest(expected, fields.get("Signature", ""))

    def _oss(
        self, path: str, pairs: list[tuple[str, str]], query: dict[str, str], headers: dict[str, str], auth: str
    ) -> None:
        ak, _, sig = auth[4:].partition(":")
        name = path.strip("/").split("/", 1)[0]
        subs = sorted((k, v) for k, v in pairs if k in OSS_SUBRESOURCES)
        resource = (f"/{name}/" if name else "/") + (
            "?" + "&".join(k if v == "" else f"{k}={v}" for k, v in subs) if subs else ""
        )
        expected = oss_v1_signature(self.owner.sk, self.command, headers, resource)
        if ak != self.owner.ak or not hmac.compare_digest(expected, sig):
            self.owner.signature_failures += 1
            return self._raw(*_oss_error(403, "SignatureDoesNotMatch", "signature mismatch"))
        sub = next((s for s in OSS_SUBRESOURCES if s in query), "ListBuckets")
        fault = self.owner.fault_for("oss:" + sub, "")
        if fault:
            return self._raw(*_oss_error(403, "AccessDenied", "You have no right to access this object."))
        status, ctype, text = self.owner.oss(path, query)
        self.owner.record("oss", "oss", sub, query, status, text)
        self._raw(status, ctype, text)

    def _sls(self, host: str, path: str, pairs: list[tuple[str, str]], headers: dict[str, str], auth: str) -> None:
        """SLS requests arrive in proxy form (absolute URI with the real host): answer them here, never forward."""
        fake = self.owner
        labels = host.split(".")
        project = labels[0] if len(labels) == 5 else ""
        region = labels[-4]
        ak, _, sig = auth[4:].partition(":") if auth.startswith("LOG ") else ("", "", "")
        expected = sls_signature(fake.sk, self.command, path, pairs, headers)
        if ak != fake.ak or not hmac.compare_digest(expected, sig):
            fake.signature_failures += 1
            return self._json(401, {"errorCode": "SignatureNotMatch", "errorMessage": "signature mismatch"})
        query = dict(pairs)
        action = "ListProject" if path == "/" else ("ListLogStores" if path == "/logstores" else "GetLogStore")
        with fake._lock:
            fake.calls.append((action, region))
        if fake.fault_for(action, region):
            return self._json(
                403, {"errorCode": "Unauthorized", "errorMessage": f"denied by sts or ram, action: log:{action}"}
            )
        sls = fake.scenario.get("sls", {})
        if action == "ListProject":
            rows = [p for p in sls.get("projects", []) if p.get("region") == region]
            return self._sls_json(action, query, 200, _window(rows, query, "projects"))
        names = {p["projectName"] for p in sls.get("projects", []) if p.get("region") == region}
        if project not in names:
            return self._json(
                404, {"errorCode": "ProjectNotExist", "errorMessage": f"Project {project} does not exist"}
            )
        stores = sls.get("logstores", {}).get(project, [])
        if action == "ListLogStores":
            return self._sls_json(action, query, 200, _window([s["logstoreName"] for s in stores], query, "logstores"))
        name = path.rsplit("/", 1)[-1]
        store = next((s for s in stores if s["logstoreName"] == name), None)
        if store is None:
            return self._json(404, {"errorCode": "LogStoreNotExist", "errorMessage": f"logstore {name} does not exist"})
        return self._sls_json(action, query, 200, store)

    def _sls_json(self, action: str, query: dict[str, str], status: int, obj: dict[str, Any]) -> None:
        self.owner.record("sls", "2020-12-30", action, query, status, obj)
        self._json(status, obj)

    def _json(self, status: int, obj: dict[str, Any]) -> None:
        self._raw(status, "application/json;charset=utf-8", json.dumps(obj, ensure_ascii=False))

    def _raw(self, status: int, ctype: str, text: str) -> None:
        try:
            self._send(status, ctype, text)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeouts): nothing to tell it
            self.close_connection = True

    def _send(self, status: int, ctype: str, text: str) -> None:
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Date", formatdate(usegmt=True))
        self.send_header("x-oss-request-id" if ctype.endswith("xml") else "x-acs-request-id", "FAKE")
        self.end_headers()
        self.wfile.write(data)
