"""Log retention of at least 180 days (Cybersecurity Law art. 21; GB/T 22239 安全审计)."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

MIN_DAYS = 180


def _days(conf: dict[str, Any], key: str) -> Any:
    value: Any = conf.get(key)
    value = value[0] if isinstance(value, list) and value else value
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


class LogStoreRetention(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="SLS logstore keeps logs for at least 180 days",
            id="CKV_MLPS_3",
            categories=[CheckCategories.LOGGING],
            supported_resources=["alicloud_log_store"],
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        days = _days(conf, "retention_period")
        if days is None:
            return CheckResult.FAILED  # provider default is 30 days
        if not isinstance(days, int):
            return CheckResult.UNKNOWN
        return CheckResult.PASSED if days >= MIN_DAYS else CheckResult.FAILED


class CloudWatchLogGroupRetention(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="CloudWatch log group keeps logs for at least 180 days (0 or unset = never expire)",
            id="CKV_MLPS_4",
            categories=[CheckCategories.LOGGING],
            supported_resources=["aws_cloudwatch_log_group"],
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        days = _days(conf, "retention_in_days")
        if days is None or days == 0:
            return CheckResult.PASSED
        if not isinstance(days, int):
            return CheckResult.UNKNOWN
        return CheckResult.PASSED if days >= MIN_DAYS else CheckResult.FAILED


class WorkspaceRetention(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Log Analytics workspace keeps data for at least 180 days",
            id="CKV_MLPS_5",
            categories=[CheckCategories.LOGGING],
            supported_resources=["azurerm_log_analytics_workspace"],
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        days = _days(conf, "retention_in_days")
        if days is None:
            return CheckResult.FAILED  # the service default is 30 days
        if not isinstance(days, int):
            return CheckResult.UNKNOWN
        return CheckResult.PASSED if days >= MIN_DAYS else CheckResult.FAILED


check_logstore = LogStoreRetention()
check_workspace = WorkspaceRetention()
check_loggroup = CloudWatchLogGroupRetention()
