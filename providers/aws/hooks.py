"""The AWS hooks a ``collect:`` block may name (``collector``, ``item_enrich``, ``finalize``): Python for what the
table cannot say. A name is ``<service>.<function>``; an unknown name is a load-time error. Each hook takes the
spine's Task (scanner.collect) and calls through it, so its calls are guarded, counted and recorded like the
table's own."""

from __future__ import annotations

from providers.aws.config import collect as config
from providers.aws.ec2 import collect as ec2
from providers.aws.guardduty import collect as guardduty
from providers.aws.iam import collect as iam
from providers.aws.inventory import collect as inventory
from providers.aws.logs import collect as logs
from providers.aws.s3 import collect as s3
from scanner.collect import Hook

HOOKS: dict[str, Hook] = {
    "config.recording_status": config.recording_status,
    "ec2.snapshots": ec2.snapshots,
    "guardduty.status": guardduty.status,
    "iam.access_key_last_used": iam.access_key_last_used,
    "iam.credential_report": iam.credential_report,
    "inventory.sweep": inventory.sweep,
    "logs.alarms_and_trails": logs.alarms_and_trails,
    "s3.bucket": s3.bucket,
    "s3.finalize": s3.finalize,
}
