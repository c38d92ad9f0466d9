"""Least privilege, read from the synthesised policies: who may touch which table, key,
secret and model, and where a wildcard remains (each one named and justified below)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from cloudstro_infra.stack import CloudstroStack
from tests.conftest import ACCOUNT, REGION, logical_id, resources

WRITES = {"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
          "dynamodb:BatchWriteItem"}
READS = {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchGetItem"}

# Written out here, apart from the stack's own table, so a grant that changes is a test
# that changes: function -> table -> "read" | "write".
EXPECTED_TABLES = {
    "api": {"users": "read", "accounts": "write", "posts": "write", "engagement": "write",
            "insights": "write", "checkpoints": "write", "runtime": "write"},
    "slack": {"users": "write", "accounts": "read", "posts": "read", "engagement": "read",
              "insights": "write", "checkpoints": "write", "runtime": "write"},
    "scheduler": {"users": "read", "accounts": "read", "runtime": "read"},
    "worker": {"users": "read", "accounts": "write", "posts": "write", "engagement": "write",
               "insights": "write", "runtime": "write"},
}
PROFILE = "us.anthropic.claude-sonnet-4-6"


def statements(stack: CloudstroStack, template_json: dict[str, Any],
               function_role: str) -> list[dict[str, Any]]:
    role_id = logical_id(stack, stack.functions[function_role].role)
    found = []
    for policy in resources(template_json, "AWS::IAM::Policy").values():
        if {"Ref": role_id} in policy["Properties"]["Roles"]:
            found += policy["Properties"]["PolicyDocument"]["Statement"]
    return found


def actions_of(statement: dict[str, Any]) -> set[str]:
    action = statement["Action"]
    return {action} if isinstance(action, str) else set(action)


def table_access(stack: CloudstroStack, template_json: dict[str, Any],
                 function_role: str) -> dict[str, str]:
    access: dict[str, set[str]] = {}
    for statement in statements(stack, template_json, function_role):
        text = json.dumps(statement["Resource"])
        for table_role, table in stack.data.tables.items():
            if f'"{logical_id(stack, table)}"' in text:
                access.setdefault(table_role, set()).update(actions_of(statement))
    return {table: ("write" if actions & WRITES else "read" if actions & READS else "other")
            for table, actions in access.items()}


@pytest.mark.parametrize("function_role", sorted(EXPECTED_TABLES))
def test_each_function_touches_exactly_its_tables(
        stack: CloudstroStack, template_json: dict[str, Any], function_role: str) -> None:
    assert table_access(stack, template_json, function_role) == EXPECTED_TABLES[function_role]


def test_only_api_and_worker_may_use_the_token_key_and_only_to_encrypt_and_decrypt(
        stack: CloudstroStack, template_json: dict[str, Any]) -> None:
    key = logical_id(stack, stack.data.token_key)
    for function_role in EXPECTED_TABLES:
        kms = [s for s in statements(stack, template_json, function_role)
               if any(a.startswith("kms:") for a in actions_of(s))]
        if function_role in ("api", "worker"):  # connecting accounts; syncing them
            assert [(actions_of(s), s["Resource"]) for s in kms] == [
                ({"kms:Encrypt", "kms:Decrypt"}, {"Fn::GetAtt": [key, "Arn"]})]
        else:
            assert kms == [], function_role


def test_the_secret_is_read_by_the_functions_that_need_credentials_only(
        stack: CloudstroStack, template_json: dict[str, Any]) -> None:
    secret = logical_id(stack, stack.data.secret)
    for function_role in EXPECTED_TABLES:
        reads = [s for s in statements(stack, template_json, function_role)
                 if any(a.startswith("secretsmanager:") for a in actions_of(s))]
        if function_role == "scheduler":
            assert reads == []
            continue
        assert [(actions_of(s), s["Resource"]) for s in reads] == [
            ({"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"},
             {"Ref": secret})]


def test_bedrock_only_through_the_configured_inference_profile(
        stack: CloudstroStack, template_json: dict[str, Any]) -> None:
    profile_arn = f"arn:aws:bedrock:{REGION}:{ACCOUNT}:inference-profile/{PROFILE}"
    for function_role in EXPECTED_TABLES:
        bedrock = [s for s in statements(stack, template_json, function_role)
                   if any(a.startswith("bedrock:") for a in actions_of(s))]
        if function_role == "scheduler":
            assert bedrock == []
            continue
        by_sid = {s["Sid"]: s for s in bedrock}
        assert sorted(by_sid) == ["InvokeInferenceProfile", "InvokeProfileModels"]
        for statement in bedrock:
            assert actions_of(statement) == {"bedrock:InvokeModel",
                                             "bedrock:InvokeModelWithResponseStream"}
        assert stack.resolve(by_sid["InvokeInferenceProfile"]["Resource"]) == {
            "Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"},
                              f":bedrock:{REGION}:{ACCOUNT}:inference-profile/{PROFILE}"]]}
        model = by_sid["InvokeProfileModels"]
        assert json.dumps(model["Resource"]).endswith(
            ':bedrock:*::foundation-model/anthropic.claude-sonnet-4-6"]]}')
        condition = json.dumps(model["Condition"]["ArnLike"]["bedrock:InferenceProfileArn"])
        assert f":bedrock:{REGION}:{ACCOUNT}:inference-profile/{PROFILE}" in condition
        assert profile_arn.split(":", 2)[2] in condition


# Where a `*` remains in a resource, and why nothing narrower exists.
ALLOWED_WILDCARDS = {
    '/index/*"': "a table's own indexes, as DynamoDB grants name them",
    ':bedrock:*::foundation-model/': "the profile's model in whichever region serves it, "
                                     "only through the profile (condition)",
}


def test_no_wildcard_action_and_no_wildcard_resource_beyond_the_named_ones(
        template_json: dict[str, Any], stack: CloudstroStack) -> None:
    finder = logical_id(stack, stack.functions["scheduler"])
    for name, policy in resources(template_json, "AWS::IAM::Policy").items():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            assert statement["Effect"] == "Allow"
            for action in actions_of(statement):
                assert "*" not in action, (name, action)
            resource_list = statement["Resource"]
            for resource in resource_list if isinstance(resource_list, list) else [resource_list]:
                text = json.dumps(resource)
                assert resource != "*", name
                if "*" not in text:
                    continue
                # The CDK's Scheduler target grant adds the finder's versions and aliases.
                versions = f'"{finder}", "Arn"]}}, ":*"' in text
                assert versions or any(w in text for w in ALLOWED_WILDCARDS), (name, text)
