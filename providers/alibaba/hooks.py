"""The Alibaba Cloud hooks a ``collect:`` block may name (``collector``, ``item_enrich``, ``finalize``): Python for
what the action table cannot say (OSS and SLS, which the OpenAPI client cannot reach; lists that page in their own
way; a call per listener or per access key). A name is ``<service>.<function>``; an unknown name is a load-time
error. Each hook takes the spine's Task (scanner.collect) and calls through it or its transport, so its calls are
guarded, counted and recorded like the table's own."""

from __future__ import annotations

from providers.alibaba.cms import collect as cms
from providers.alibaba.inventory import collect as inventory
from providers.alibaba.oss import collect as oss
from providers.alibaba.ram import collect as ram
from providers.alibaba.sas import collect as sas
from providers.alibaba.slb import collect as slb
from providers.alibaba.sls import collect as sls
from scanner.collect import Hook

HOOKS: dict[str, Hook] = {
    "cms.event_rules": cms.event_rules,
    "cms.metric_rules": cms.metric_rules,
    "inventory.sweep": inventory.sweep,
    "oss.bucket": oss.bucket,
    "oss.buckets": oss.buckets,
    "ram.access_key_last_used": ram.access_key_last_used,
    "ram.account_summary": ram.account_summary,
    "sas.agents": sas.agents,
    "sas.edition": sas.edition,
    "slb.listeners": slb.listeners,
    "sls.logstore": sls.logstore,
    "sls.logstores": sls.logstores,
    "sls.projects": sls.projects,
}
