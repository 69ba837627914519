"""Redaction rules from scanner/redaction.yaml: secrets by name, by tag key and by value shape; evidence kept."""

from __future__ import annotations

from scanner.redact import REDACTED, redact, redact_tags


def test_tag_lists_are_judged_by_the_tag_key():
    out = redact(
        {
            "Tags": [
                {"Key": "db_password", "Value": "s1"},
                {"TagKey": "token", "TagValue": "s2"},
                {"Key": "env", "Value": "prod"},
            ]
        }
    )
    assert out["Tags"] == [
        {"Key": "db_password", "Value": REDACTED},
        {"TagKey": "token", "TagValue": REDACTED},
        {"Key": "env", "Value": "prod"},
    ]


def test_secret_shaped_values_are_redacted_wherever_they_sit():
    for value in (
        "-----BEGIN RSA PRIVATE KEY-----\nabc",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig",
        "https://acct.blob.core.chinacloudapi.cn/c?sv=2022-11-02&sig=ABCDEFGHIJKLMNOPQRSTU",
        "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=QUJDREVGR0hJSktMTU5PUFFSU1RVVg==",
        "postgres://admin:hunter22@db.internal/app",
    ):
        assert redact({"Description": value}) == {"Description": REDACTED}, value
    assert redact_tags({"sasToken": "x", "adminpw": "y", "owner": "ops"}) == {
        "sasToken": REDACTED,
        "adminpw": REDACTED,
        "owner": "ops",
    }


def test_evidence_that_only_sounds_secret_is_kept():
    doc = {"ConnectionString": "rm-bp1xxxx.mysql.rds.aliyuncs.com", "AllowUserToChangePassword": True}
    assert redact(doc) == doc
