"""Who may touch what: the table matrix and Bedrock through an inference profile.

The matrix is data, so the test that reads the synthesised policies checks the same table a
reviewer reads here. Read is GetItem/Query/Scan/BatchGetItem (and the indexes); write adds
PutItem/UpdateItem/DeleteItem/BatchWriteItem. Nothing gets `dynamodb:*` or a table it does
not use.
"""

from __future__ import annotations

from typing import Literal

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam

Access = Literal["read", "write"]

# function role -> table role -> access. From the code each function runs:
#   api:       the agent (posts, engagement, accounts, insights; stores computed insights),
#              its memory (checkpoints), the caller's profile (users, read only, as is the
#              name a connection link's page shows), and connecting accounts: the OAuth state
#              (runtime), the accounts with their tokens, and the new account's first sync
#              (posts, engagement).
#   slack:     the agent as above, linking a Slack user to a profile (users, write), event
#              de-duplication and the start of a connection (runtime).
#   scheduler: finds what is due: active users (scan), active accounts (platform/status
#              index), and which digests are already sent (runtime claims).
#   worker:    one unit: a sync writes posts, snapshots and account state, an insights
#              refresh writes insights, a digest claims its period.
TABLE_ACCESS: dict[str, dict[str, Access]] = {
    "api": {"users": "read", "accounts": "write", "posts": "write", "engagement": "write",
            "insights": "write", "checkpoints": "write", "runtime": "write"},
    "slack": {"users": "write", "accounts": "read", "posts": "read", "engagement": "read",
              "insights": "write", "checkpoints": "write", "runtime": "write"},
    "scheduler": {"users": "read", "accounts": "read", "runtime": "read"},
    "worker": {"users": "read", "accounts": "write", "posts": "write", "engagement": "write",
               "insights": "write", "runtime": "write"},
}
# The functions that encrypt or decrypt stored OAuth tokens: the API stores them when an
# account is connected (and reads them for its first sync), the worker refreshes and uses them.
TOKEN_KEY_USERS = ("api", "worker")

BEDROCK_ACTIONS = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]


def grant_tables(grantee: iam.IGrantable, function_role: str,
                 tables: dict[str, dynamodb.TableV2]) -> None:
    for table_role, access in TABLE_ACCESS[function_role].items():
        table = tables[table_role]
        if access == "write":
            table.grant_read_write_data(grantee)
        else:
            table.grant_read_data(grantee)


def inference_profile_arn(stack: cdk.Stack, profile_id: str) -> str:
    return stack.format_arn(service="bedrock", resource="inference-profile",
                            resource_name=profile_id)


def grant_bedrock(role: iam.IRole, stack: cdk.Stack, profile_id: str,
                  foundation_model_id: str) -> None:
    """Invoke the configured profile, and its model only when reached through that profile.

    A geographic profile routes each request to one of several regions, and IAM checks the
    foundation model in whichever region serves it, so the model ARN's region must be `*`
    (AWS's documented requirement); the condition keeps that wildcard from granting direct,
    profile-less use of the model anywhere.
    """
    profile = inference_profile_arn(stack, profile_id)
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="InvokeInferenceProfile", actions=BEDROCK_ACTIONS, resources=[profile]))
    role.add_to_principal_policy(iam.PolicyStatement(
        sid="InvokeProfileModels", actions=BEDROCK_ACTIONS,
        resources=[f"arn:{cdk.Aws.PARTITION}:bedrock:*::foundation-model/{foundation_model_id}"],
        conditions={"ArnLike": {"bedrock:InferenceProfileArn": profile}}))
