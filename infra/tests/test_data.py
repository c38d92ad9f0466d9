"""The stateful resources: tables equal to the product's specs, guarded, and the key and secret."""

from __future__ import annotations

import json
import re
from typing import Any

from aws_cdk.assertions import Match, Template

from cloudstro_infra.source import stage_settings, table_specs
from cloudstro_infra.template_tables import create_requests, normalised, ttl_attributes
from tests.conftest import resources, synth


def test_every_table_is_its_spec_exactly(template_json: dict[str, Any]) -> None:
    """What `cloudstro db create-tables` would create is what the stack declares, table by table."""
    specs = table_specs(stage_settings("dev"))
    declared = create_requests(template_json)
    assert sorted(declared) == sorted(spec.name for spec in specs)
    for spec in specs:
        assert normalised(declared[spec.name]) == normalised(spec.create_request()), spec.name
    assert ttl_attributes(template_json) == {spec.name: spec.ttl_attribute for spec in specs}


def test_the_stage_names_the_tables_and_the_functions_find_them() -> None:
    stack, template_json = synth(stage="prod")
    names = sorted(create_requests(template_json))
    assert names == sorted(spec.name for spec in table_specs(stage_settings("prod")))
    assert all(name.startswith("cloudstro-prod-") for name in names)
    for function in resources(template_json, "AWS::Lambda::Function").values():
        env = function["Properties"]["Environment"]["Variables"]
        assert env["DYNAMODB_SOCIAL_POSTS_TABLE"] == "cloudstro-prod-social-posts"
        assert env["DYNAMODB_CHECKPOINTS_TABLE"] == "cloudstro-prod-agent-checkpoints"
    assert stack.termination_protection is True


def test_tables_are_on_demand_recoverable_protected_and_retained(
        template_json: dict[str, Any]) -> None:
    tables = resources(template_json, "AWS::DynamoDB::GlobalTable")
    assert len(tables) == 7
    for table in tables.values():
        assert table["DeletionPolicy"] == "Retain"
        assert table["UpdateReplacePolicy"] == "Retain"
        assert table["Properties"]["BillingMode"] == "PAY_PER_REQUEST"
        (replica,) = table["Properties"]["Replicas"]
        assert replica["DeletionProtectionEnabled"] is True
        assert replica["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


def test_token_key_rotates_and_outlives_the_stack(template: Template) -> None:
    template.has_resource("AWS::KMS::Key", {
        "Properties": {"EnableKeyRotation": True},
        "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"})
    template.has_resource_properties("AWS::KMS::Alias",
                                     {"AliasName": "alias/cloudstro-dev-tokens"})


def test_one_secret_created_without_any_value_in_the_template(
        template: Template, template_json: dict[str, Any]) -> None:
    template.resource_count_is("AWS::SecretsManager::Secret", 1)
    template.has_resource("AWS::SecretsManager::Secret", {
        "Properties": {"Name": "cloudstro/dev/app", "SecretString": Match.absent(),
                       "GenerateSecretString": {"SecretStringTemplate": "{}",
                                                "GenerateStringKey": "CLOUDSTRO_AUTH_SECRET"}},
        "DeletionPolicy": "Retain"})
    text = json.dumps(template_json)
    # No Slack token and no literal secret string anywhere in the template.
    assert not re.search(r'xox[abpr]-|xapp-|"SecretString"', text)
    for function in resources(template_json, "AWS::Lambda::Function").values():
        env = function["Properties"]["Environment"]["Variables"]
        leaked = {name for name in env if re.search(r"SECRET$|TOKEN$|_KEY$", name)}
        assert leaked == set(), "functions get the secret's ARN, never its values"
