"""Data location (GB/T 22239 cloud extension, 8.2.4.5 / L3-CES2-10 family): resources stay in mainland China."""

from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.provider.base_check import BaseProviderCheck
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

AWS_CHINA = {"cn-north-1", "cn-northwest-1"}
# Azure operated by 21Vianet; names as azurerm accepts them (lower-case, no spaces)
AZURE_CHINA = {"chinaeast", "chinaeast2", "chinaeast3", "chinanorth", "chinanorth2", "chinanorth3"}


def _first(conf: dict[str, Any], key: str) -> Any:
    value = conf.get(key)
    return value[0] if isinstance(value, list) and value else value


def alibaba_mainland(region: str) -> bool:
    return region.startswith("cn-") and region != "cn-hongkong"


def _judge_region(region: Any, aws: bool) -> CheckResult:
    """A provider or resource ``region``: unresolved (a variable checkov could not resolve) is not judged,
    never passed; otherwise AWS China regions, or Alibaba mainland regions."""
    if not isinstance(region, str) or "${" in region:
        return CheckResult.UNKNOWN
    ok = region in AWS_CHINA if aws else alibaba_mainland(region)
    return CheckResult.PASSED if ok else CheckResult.FAILED


class ProviderRegionInMainlandChina(BaseProviderCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Provider region is in mainland China (alicloud: cn-* but not cn-hongkong; aws: cn-north*-1)",
            id="CKV_MLPS_1",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_provider=["alicloud", "aws"],
        )

    def scan_entity_conf(self, conf: dict[str, list[Any]], entity_type: str) -> CheckResult:
        # the base class drops entity_type (the provider name), which decides the rule
        return _judge_region(_first(conf, "region"), entity_type == "aws")

    def scan_provider_conf(self, conf: dict[str, list[Any]]) -> CheckResult:  # pragma: no cover - not called
        region = _first(conf, "region")
        ok = isinstance(region, str) and alibaba_mainland(region)
        return CheckResult.PASSED if ok else CheckResult.FAILED


class AzureLocationInChina(BaseResourceCheck):
    """Every azurerm resource that takes a ``location`` argument, whatever its type (a Cosmos DB account or
    any type added to the provider later): a list of known types let data abroad pass unseen."""

    def __init__(self) -> None:
        super().__init__(
            name="Azure resource location is an Azure China region",
            id="CKV_MLPS_2",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["azurerm_*"],
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        if "location" not in conf:
            return CheckResult.UNKNOWN  # no location of its own (a child resource): nothing to judge
        location = _first(conf, "location")
        if not isinstance(location, str) or "${" in location:
            return CheckResult.UNKNOWN
        return CheckResult.PASSED if location.replace(" ", "").lower() in AZURE_CHINA else CheckResult.FAILED


class ResourceRegionInMainlandChina(BaseResourceCheck):
    """A resource-level ``region`` argument (AWS provider 6, some alicloud resources) overrides the provider's
    region, so a resource can sit abroad under a provider block in China."""

    def __init__(self) -> None:
        super().__init__(
            name="Resource-level region argument is in mainland China",
            id="CKV_MLPS_7",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_*", "alicloud_*"],
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        if "region" not in conf:
            return CheckResult.UNKNOWN  # the provider's region applies; CKV_MLPS_1 judges that
        return _judge_region(_first(conf, "region"), self.entity_type.startswith("aws_"))


class OssReplicationInMainlandChina(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="OSS cross-region replication destination is in mainland China",
            id="CKV_MLPS_6",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["alicloud_oss_bucket_replication"],
        )

    def scan_resource_conf(self, conf: dict[str, list[Any]]) -> CheckResult:
        dest = _first(conf, "destination")
        location = _first(dest, "location") if isinstance(dest, dict) else None
        if not isinstance(location, str) or "${" in location:
            return CheckResult.UNKNOWN
        region = location.removeprefix("oss-")  # OSS names regions oss-cn-beijing, ...
        return CheckResult.PASSED if alibaba_mainland(region) else CheckResult.FAILED


check_provider = ProviderRegionInMainlandChina()
check_replication = OssReplicationInMainlandChina()
check_azure = AzureLocationInChina()
check_resource_region = ResourceRegionInMainlandChina()
