"""RAM: when each access key was last used (one call per key)."""

from __future__ import annotations

from typing import Any

from providers.alibaba.transport import AlibabaTransport
from scanner.collect import MISSING, Task


def access_key_last_used(task: Task[AlibabaTransport], user: dict[str, Any]) -> None:
    for key in user.get("AccessKeys") or []:
        got = task.soft(
            "GetAccessKeyLastUsed",
            {"UserName": user.get("UserName"), "UserAccessKeyId": key.get("AccessKeyId")},
            result="AccessKeyLastUsed.LastUsedDate",
        )
        if got is not MISSING:
            key["LastUsedDate"] = got


def account_summary(task: Task[AlibabaTransport]) -> list[tuple[dict[str, Any], None]]:
    """The root account: IMS 2019-08-15 GetAccountMFAInfo (IsMFAEnable) and GetAccountSecurityPracticeReport
    (AccountSecurityPracticeInfo.AccountSecurityPracticeUserInfo: RootWithAccessKey, BindMfa, ...). Neither
    takes a parameter. A failure of the report leaves its field out (the root-AccessKey check is then not
    assessed) and is recorded on the type."""
    mfa = task.call("GetAccountMFAInfo", {}) or {}
    data: dict[str, Any] = {k: mfa[k] for k in ("IsMFAEnable",) if k in mfa}
    report = task.soft("GetAccountSecurityPracticeReport", {}, result="AccountSecurityPracticeInfo")
    if report is not MISSING:
        data["AccountSecurityPracticeInfo"] = report
    return [(data, None)]
