"""Seed an AWS account (a moto server or ``mock_aws``) with a small company's resources.

Used by the tests, the collection benchmark and the demo: a web application behind a load balancer,
a database, buckets, audit logging, users and roles, some configured well and some badly in the
ways real accounts are. Secrets are seeded on purpose (Lambda environment, EC2 user data) so that
tests can prove they never reach an inventory. This module only writes to fakes: it refuses any
endpoint that is not on loopback unless ``mock_aws`` is active (endpoint None).
"""

from __future__ import annotations

import json
import zipfile
from io import BytesIO
from typing import Any
from urllib.parse import urlparse

SEEDED_SECRETS = ("sk_live_SEEDED_LAMBDA_SECRET", "SEEDED_USERDATA_PASSWORD_123")
REGIONS = ("cn-north-1", "cn-northwest-1")


def _check_fake(endpoint_url: str | None) -> None:
    if endpoint_url is not None and urlparse(endpoint_url).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"refusing to seed a non-loopback endpoint: {endpoint_url}")


def seed(session: Any, endpoint_url: str | None = None, scale: int = 0) -> dict[str, Any]:
    """Create the scenario; ``scale`` adds that many extra resources per region (for benchmarks).

    Returns the names of what was created, for assertions.
    """
    _check_fake(endpoint_url)

    def c(service: str, region: str = "cn-north-1") -> Any:
        return session.client(service, region_name=region, endpoint_url=endpoint_url)

    made: dict[str, Any] = {}
    iam = c("iam")
    iam.update_account_password_policy(
        MinimumPasswordLength=14,
        RequireSymbols=True,
        RequireNumbers=True,
        RequireUppercaseCharacters=True,
        RequireLowercaseCharacters=True,
        MaxPasswordAge=90,
        PasswordReusePrevention=5,
    )
    # alice: console user with MFA (good); bob: console user without MFA (bad); ci: API-only key
    for user in ("alice", "bob", "ci-deploy"):
        iam.create_user(UserName=user)
    iam.create_login_profile(UserName="alice", Password="Initial-Passw0rd!")
    iam.create_login_profile(UserName="bob", Password="Initial-Passw0rd!")
    mfa = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice")["VirtualMFADevice"]["SerialNumber"]
    iam.enable_mfa_device(
        UserName="alice", SerialNumber=mfa, AuthenticationCode1="123456", AuthenticationCode2="654321"
    )
    iam.create_access_key(UserName="ci-deploy")
    admin = iam.create_policy(
        PolicyName="legacy-admin",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
        ),
    )["Policy"]
    iam.attach_user_policy(UserName="bob", PolicyArn=admin["Arn"])
    iam.create_policy(
        PolicyName="deploy-app",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": "arn:aws-cn:s3:::app-artifacts/*"}
                ],
            }
        ),
    )
    role = iam.create_role(
        RoleName="lambda-exec",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
                ],
            }
        ),
    )["Role"]
    made["users"] = ["alice", "bob", "ci-deploy"]

    # network, per region: prod VPC with flow logs in cn-north-1, none in cn-northwest-1
    for region in REGIONS:
        ec2 = c("ec2", region)
        vpc = ec2.create_vpc(
            CidrBlock="10.10.0.0/16",
            TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "prod"}]}],
        )["Vpc"]["VpcId"]
        subnet = ec2.create_subnet(VpcId=vpc, CidrBlock="10.10.1.0/24")["Subnet"]["SubnetId"]
        if region == "cn-north-1":
            logs = c("logs", region)
            logs.create_log_group(logGroupName="/vpc/flow")
            logs.put_retention_policy(logGroupName="/vpc/flow", retentionInDays=365)
            ec2.create_flow_logs(
                ResourceIds=[vpc],
                ResourceType="VPC",
                TrafficType="ALL",
                LogGroupName="/vpc/flow",
                DeliverLogsPermissionArn=role["Arn"],
            )
            ec2.enable_ebs_encryption_by_default()
        web = ec2.create_security_group(GroupName="web", Description="web", VpcId=vpc)["GroupId"]
        ec2.authorize_security_group_ingress(
            GroupId=web,
            IpPermissions=[
                {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
            ],
        )
        # web: outbound only 443 (good); every other group keeps AWS's default "all traffic to 0.0.0.0/0" egress
        ec2.revoke_security_group_egress(
            GroupId=web, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
        )
        ec2.authorize_security_group_egress(
            GroupId=web,
            IpPermissions=[
                {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
            ],
        )
        ssh = ec2.create_security_group(GroupName="ssh-anywhere", Description="ssh", VpcId=vpc)["GroupId"]
        ec2.authorize_security_group_ingress(
            GroupId=ssh,
            IpPermissions=[{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
        )
        ec2.create_volume(
            AvailabilityZone=f"{region}a",
            Size=10,
            Encrypted=True,
            TagSpecifications=[{"ResourceType": "volume", "Tags": [{"Key": "Name", "Value": "data"}]}],
        )
        ec2.create_volume(AvailabilityZone=f"{region}a", Size=10, Encrypted=False)
        for n in range(scale):
            g = ec2.create_security_group(GroupName=f"bulk-{n}", Description="bulk", VpcId=vpc)["GroupId"]
            if n % 5 == 0:
                ec2.authorize_security_group_ingress(
                    GroupId=g,
                    IpPermissions=[
                        {"IpProtocol": "tcp", "FromPort": 3389, "ToPort": 3389, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
                    ],
                )
            ec2.create_volume(AvailabilityZone=f"{region}a", Size=1, Encrypted=n % 3 != 0)
        made.setdefault("vpcs", {})[region] = vpc
        made.setdefault("subnets", {})[region] = subnet
        made.setdefault("sg_ssh", {})[region] = ssh
        made.setdefault("sg_web", {})[region] = web

    ec2 = c("ec2")
    image = ec2.describe_images()["Images"]
    if image:
        ec2.run_instances(
            ImageId=image[0]["ImageId"],
            MinCount=1,
            MaxCount=1,
            InstanceType="t3.micro",
            SubnetId=made["subnets"]["cn-north-1"],
            UserData=f"#!/bin/sh\nexport DB_PASSWORD={SEEDED_SECRETS[1]}\n",
            MetadataOptions={"HttpTokens": "optional"},
            TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web-1"}]}],
        )

    # storage
    s3 = c("s3")
    loc = {"LocationConstraint": "cn-north-1"}
    for bucket in ("app-artifacts", "audit-logs-123456789012", "marketing-assets"):
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration=loc)
    s3.put_public_access_block(
        Bucket="app-artifacts",
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket="app-artifacts",
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"}}]
        },
    )
    s3.put_bucket_versioning(Bucket="app-artifacts", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_policy(
        Bucket="app-artifacts",
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "TLSOnly",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": "s3:*",
                        "Resource": ["arn:aws-cn:s3:::app-artifacts", "arn:aws-cn:s3:::app-artifacts/*"],
                        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                    }
                ],
            }
        ),
    )
    for bucket in ("app-artifacts", "marketing-assets"):
        s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": [{"Key": "owner", "Value": "web-team"}]})
    # off-site copy: app-artifacts replicates to a versioned bucket in the other China region
    dr = c("s3", "cn-northwest-1")
    dr.create_bucket(Bucket="app-artifacts-dr", CreateBucketConfiguration={"LocationConstraint": "cn-northwest-1"})
    dr.put_bucket_versioning(Bucket="app-artifacts-dr", VersioningConfiguration={"Status": "Enabled"})
    s3.put_bucket_replication(
        Bucket="app-artifacts",
        ReplicationConfiguration={
            "Role": role["Arn"],
            "Rules": [
                {
                    "ID": "dr",
                    "Status": "Enabled",
                    "Prefix": "",
                    "Destination": {"Bucket": "arn:aws-cn:s3:::app-artifacts-dr"},
                }
            ],
        },
    )
    for n in range(scale):
        s3.create_bucket(Bucket=f"bulk-bucket-{n}", CreateBucketConfiguration=loc)
    made["buckets"] = ["app-artifacts", "audit-logs-123456789012", "marketing-assets", "app-artifacts-dr"]

    # audit: one good multi-region trail, one trail without validation
    logs = c("logs")
    logs.create_log_group(logGroupName="cloudtrail/org-trail")
    logs.put_retention_policy(logGroupName="cloudtrail/org-trail", retentionInDays=365)
    trail_group = "arn:aws-cn:logs:cn-north-1:123456789012:log-group:cloudtrail/org-trail:*"
    ct = c("cloudtrail")
    ct.create_trail(
        Name="org-trail",
        S3BucketName="audit-logs-123456789012",
        IsMultiRegionTrail=True,
        EnableLogFileValidation=True,
        CloudWatchLogsLogGroupArn=trail_group,
        CloudWatchLogsRoleArn=role["Arn"],
    )
    # unauthorised VM creation or restart raises an alarm that notifies the security team
    logs.put_metric_filter(
        logGroupName="cloudtrail/org-trail",
        filterName="ec2-instance-change",
        filterPattern=(
            "{ ($.eventName = RunInstances) || ($.eventName = StartInstances) || ($.eventName = RebootInstances) }"
        ),
        metricTransformations=[
            {"metricName": "Ec2InstanceChange", "metricNamespace": "CloudTrailMetrics", "metricValue": "1"}
        ],
    )
    c("cloudwatch").put_metric_alarm(
        AlarmName="ec2-instance-change",
        MetricName="Ec2InstanceChange",
        Namespace="CloudTrailMetrics",
        Statistic="Sum",
        Period=300,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        ActionsEnabled=True,
        AlarmActions=["arn:aws-cn:sns:cn-north-1:123456789012:security-alerts"],
    )
    ct.start_logging(Name="org-trail")
    ct.create_trail(Name="legacy-trail", S3BucketName="audit-logs-123456789012")
    logs.create_log_group(logGroupName="/app/web")
    logs.put_retention_policy(logGroupName="/app/web", retentionInDays=30)
    # GuardDuty with Malware Protection for EC2 in cn-north-1 only (cn-northwest-1 has no detector)
    c("guardduty").create_detector(Enable=True, Features=[{"Name": "EBS_MALWARE_PROTECTION", "Status": "ENABLED"}])

    # data stores
    rds = c("rds")
    rds.create_db_instance(
        DBInstanceIdentifier="orders-db",
        DBInstanceClass="db.t3.micro",
        Engine="mysql",
        MasterUsername="admin",
        MasterUserPassword="Sup3r-Secret-Pw",
        AllocatedStorage=20,
        StorageEncrypted=True,
        PubliclyAccessible=False,
        BackupRetentionPeriod=7,
        MultiAZ=True,
        DeletionProtection=True,
    )
    rds.create_db_instance(
        DBInstanceIdentifier="reporting-db",
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="admin",
        MasterUserPassword="Sup3r-Secret-Pw",
        AllocatedStorage=20,
        StorageEncrypted=False,
        PubliclyAccessible=True,
        BackupRetentionPeriod=0,
    )
    kms = c("kms")
    good_key = kms.create_key(Description="app key")["KeyMetadata"]["KeyId"]
    kms.enable_key_rotation(KeyId=good_key)
    kms.create_key(Description="no rotation")

    # a function holding a secret in its environment
    zbuf = BytesIO()
    with zipfile.ZipFile(zbuf, "w") as z:
        z.writestr("handler.py", "def handler(event, context):\n    return 1\n")
    c("lambda").create_function(
        FunctionName="billing-export",
        Runtime="python3.12",
        Role=role["Arn"],
        Handler="handler.handler",
        Code={"ZipFile": zbuf.getvalue()},
        Environment={"Variables": {"STRIPE_KEY": SEEDED_SECRETS[0], "STAGE": "prod"}},
    )
    made["good_key"] = good_key
    return made
