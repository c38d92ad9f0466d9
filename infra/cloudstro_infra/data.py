"""The stateful part: the seven tables from the product's specs, the token key, the secret.

Everything here outlives a `cdk destroy` (RETAIN) and refuses accidental deletion: the
tables hold users' data, the key is the only way to read their stored OAuth tokens.
"""

from __future__ import annotations

import json

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from cloudstro_infra.source import Key, TableSpec

ATTRIBUTE_TYPES = {"S": dynamodb.AttributeType.STRING, "N": dynamodb.AttributeType.NUMBER}
# The one key generated at creation; the others (Slack, platform client secrets) are added
# with `aws secretsmanager put-secret-value`, so no value is ever in the template.
GENERATED_SECRET_KEY = "CLOUDSTRO_AUTH_SECRET"


def _attribute(key: Key) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=key.name, type=ATTRIBUTE_TYPES[key.type])


def build_table(scope: Construct, spec: TableSpec) -> dynamodb.TableV2:
    """One table exactly as `spec.create_request()` describes it, plus the production guards."""
    local_indexes = []
    for index in spec.local_indexes:
        if index.partition != spec.partition or index.sort is None:
            raise ValueError(f"{spec.name}: local index {index.name} must share the table's "
                             "partition key and have a sort key")
        local_indexes.append(dynamodb.LocalSecondaryIndexProps(
            index_name=index.name, sort_key=_attribute(index.sort),
            projection_type=dynamodb.ProjectionType.ALL))
    return dynamodb.TableV2(
        scope, spec.role.capitalize(),
        table_name=spec.name,
        partition_key=_attribute(spec.partition),
        sort_key=_attribute(spec.sort),
        billing=dynamodb.Billing.on_demand(),
        global_secondary_indexes=[
            dynamodb.GlobalSecondaryIndexPropsV2(
                index_name=index.name, partition_key=_attribute(index.partition),
                sort_key=_attribute(index.sort) if index.sort else None,
                projection_type=dynamodb.ProjectionType.ALL)
            for index in spec.indexes],
        local_secondary_indexes=local_indexes or None,
        time_to_live_attribute=spec.ttl_attribute,
        point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
            point_in_time_recovery_enabled=True),
        deletion_protection=True,
        removal_policy=cdk.RemovalPolicy.RETAIN,
    )


class Data(Construct):
    """Tables by role (`users`, `accounts`, ...), the OAuth-token key and the app secret."""

    def __init__(self, scope: Construct, construct_id: str, *, stage: str,
                 specs: list[TableSpec]) -> None:
        super().__init__(scope, construct_id)
        self.specs = specs
        self.tables: dict[str, dynamodb.TableV2] = {spec.role: build_table(self, spec)
                                                    for spec in specs}
        self.token_key = kms.Key(
            self, "TokenKey", alias=f"alias/cloudstro-{stage}-tokens",
            description="Encrypts stored OAuth access and refresh tokens (envelope per token)",
            enable_key_rotation=True, removal_policy=cdk.RemovalPolicy.RETAIN)
        self.secret = secretsmanager.Secret(
            self, "AppSecret", secret_name=f"cloudstro/{stage}/app",
            description="CloudStro's credentials as JSON: SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN, "
                        "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET, CLOUDSTRO_AUTH_SECRET and "
                        "the platforms' client ids and secrets",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template=json.dumps({}), generate_string_key=GENERATED_SECRET_KEY,
                exclude_punctuation=True, password_length=48),
            removal_policy=cdk.RemovalPolicy.RETAIN)
