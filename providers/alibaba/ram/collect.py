"""RAM: when each access key was last used (one call per key)."""

from __future__ import annotations

from typing import Any

from providers.alibaba.collect import MISSING, Task


def access_key_last_used(task: Task, user: dict[str, Any]) -> None:
    for key in user.get("AccessKeys") or []:
        got = task.soft(
            "GetAccessKeyLastUsed",
            {"UserName": user.get("UserName"), "UserAccessKeyId": key.get("AccessKeyId")},
            result="AccessKeyLastUsed.LastUsedDate",
        )
        if got is not MISSING:
            key["LastUsedDate"] = got
