"""Each synthesis passes CloudFormation's own linter (cfn-lint) in the stack's region.

The CDK's validation and cdk-nag judge the constructs; cfn-lint judges what CloudFormation
will actually receive, against the resource specification of the region: property names and
types, allowed values (runtimes, billing modes, schedule expressions), references that
resolve, and IAM policy shapes. A template it rejects would fail at deploy time, minutes into
a stack update, rather than here.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from cfnlint.api import ManualArgs, lint

from tests.conftest import REGION, resources, synth

# The CDK gives each function an explicit DependsOn on its role beside the GetAtt of the role's
# ARN, which already orders them (W3005). That is the CDK's construction, harmless, and the
# same in every CDK app; `test_the_only_redundant_dependencies_are_functions_on_their_roles`
# keeps the exception from hiding anything else.
CDK_REDUNDANT_DEPENDENCY = "W3005"


def findings(template_json: dict[str, Any], ignore: tuple[str, ...] = ()) -> list[str]:
    matches = lint(json.dumps(template_json),
                   config=ManualArgs(regions=[REGION], ignore_checks=list(ignore)))
    return [f"{match.rule.id} {match.message}" for match in matches]


@pytest.mark.parametrize("overrides", [
    {}, {"stage": "prod"}, {"slack": "false", "publicUrl": "https://api.example.com"}],
    ids=["default", "prod", "http-only"])
def test_every_synthesis_passes_cfn_lint(overrides: dict[str, str]) -> None:
    _stack, template_json = synth(**overrides)
    assert findings(template_json, ignore=(CDK_REDUNDANT_DEPENDENCY,)) == []


def test_the_only_redundant_dependencies_are_functions_on_their_roles(
        template_json: dict[str, Any]) -> None:
    redundant = [finding for finding in findings(template_json)
                 if finding.startswith(CDK_REDUNDANT_DEPENDENCY)]
    functions = resources(template_json, "AWS::Lambda::Function")
    roles = {function["Properties"]["Role"]["Fn::GetAtt"][0] for function in functions.values()}
    assert len(redundant) == len(functions) == len(roles)
    assert all(any(f"'{role}'" in finding for role in roles) for finding in redundant)


def test_the_linter_rejects_what_cloudformation_would(template_json: dict[str, Any]) -> None:
    """The check can fail: a runtime Lambda does not offer and a billing mode DynamoDB does
    not know are both reported, by the resource they sit on."""
    broken = copy.deepcopy(template_json)
    function_name = next(iter(resources(broken, "AWS::Lambda::Function")))
    broken["Resources"][function_name]["Properties"]["Runtime"] = "python2.1"
    table_name = next(iter(resources(broken, "AWS::DynamoDB::GlobalTable")))
    broken["Resources"][table_name]["Properties"]["BillingMode"] = "PAY_WHEN_ASKED"
    reported = findings(broken, ignore=(CDK_REDUNDANT_DEPENDENCY,))
    assert any("python2.1" in finding for finding in reported), reported
    assert any("PAY_WHEN_ASKED" in finding for finding in reported), reported
