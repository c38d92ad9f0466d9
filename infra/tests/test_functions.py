"""The HTTP API streams through the Lambda Web Adapter; Slack acks and answers lazily."""

from __future__ import annotations

import json
import re
from typing import Any

from aws_cdk.assertions import Match, Template

from cloudstro_infra.source import REPO_ROOT
from cloudstro_infra.stack import CloudstroStack
from tests.conftest import ACCOUNT, REGION, logical_id, resources, synth


def function_by_name(template_json: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [r["Properties"] for r in resources(template_json, "AWS::Lambda::Function").values()
                if r["Properties"]["FunctionName"] == name]
    return found


def test_every_function_is_arm64_python_with_its_own_retained_log_group(
        template_json: dict[str, Any]) -> None:
    functions = resources(template_json, "AWS::Lambda::Function")
    assert sorted(f["Properties"]["FunctionName"] for f in functions.values()) == [
        "cloudstro-dev-api", "cloudstro-dev-scheduler", "cloudstro-dev-slack",
        "cloudstro-dev-worker"]
    groups = {g["Properties"]["LogGroupName"]: g["Properties"]
              for g in resources(template_json, "AWS::Logs::LogGroup").values()}
    for function in functions.values():
        props = function["Properties"]
        assert props["Architectures"] == ["arm64"] and props["Runtime"] == "python3.11"
        assert groups[f"/aws/lambda/{props['FunctionName']}"]["RetentionInDays"] == 30
        env = props["Environment"]["Variables"]
        assert env["CLOUDSTRO_DATA_DIR"] == "/tmp/cloudstro"
        assert "CLOUDSTRO_SECRET_ARN" in env and "TOKEN_KMS_KEY_ID" in env


def test_the_api_streams_through_the_web_adapter_behind_a_function_url(
        stack: CloudstroStack, template: Template, template_json: dict[str, Any]) -> None:
    api = function_by_name(template_json, "cloudstro-dev-api")
    assert api["Handler"] == "run.sh"
    (layer,) = api["Layers"]
    assert json.dumps(layer).endswith(
        f':lambda:{REGION}:753240598075:layer:LambdaAdapterLayerArm64:26"]]}}')
    env = api["Environment"]["Variables"]
    assert env["AWS_LAMBDA_EXEC_WRAPPER"] == "/opt/bootstrap"
    assert env["AWS_LWA_INVOKE_MODE"] == "response_stream"
    # The adapter forwards to the port the product's web_adapter module listens on.
    web_adapter = (REPO_ROOT / "channels" / "http" / "web_adapter.py").read_text()
    assert f"PORT = {env['AWS_LWA_PORT']}\n" in web_adapter
    assert env["AWS_LWA_READINESS_CHECK_PROTOCOL"] == "tcp"
    template.has_resource_properties("AWS::Lambda::Url", {
        "AuthType": "NONE", "InvokeMode": "RESPONSE_STREAM",
        "TargetFunctionArn": {"Fn::GetAtt": [logical_id(stack, stack.functions["api"]), "Arn"]}})
    template.has_output("ApiUrl", {})


def test_the_bundle_starts_the_web_adapter_module() -> None:
    from cloudstro_infra.bundling import WEB_ADAPTER_SCRIPT

    assert (REPO_ROOT / "channels" / "http" / "web_adapter.py").is_file()
    assert "python -m cloudstro.channels.http.web_adapter" in WEB_ADAPTER_SCRIPT


def test_slack_invokes_only_itself_by_name_and_never_twice(
        stack: CloudstroStack, template: Template, template_json: dict[str, Any]) -> None:
    slack = stack.functions["slack"]
    slack_id = logical_id(stack, slack)
    props = function_by_name(template_json, "cloudstro-dev-slack")
    assert props["Handler"] == "cloudstro.channels.slack.lambda_handler.handler"
    assert props["Timeout"] >= 60  # the lazy answer runs the agent, not just the 3-second ack
    assert props["MemorySize"] >= 1769  # a full vCPU for the cold start inside Slack's 3 s
    policy_id = logical_id(stack, slack.role.node.find_child("DefaultPolicy"))
    statements = template_json["Resources"][policy_id]["Properties"]["PolicyDocument"][
        "Statement"]
    invokes = [s for s in statements if "lambda:InvokeFunction" in json.dumps(s["Action"])]
    assert len(invokes) == 1
    resolved = json.dumps(invokes[0]["Resource"])
    assert f":lambda:{REGION}:{ACCOUNT}:function:cloudstro-dev-slack" in resolved
    # No reference to the function itself: that is the Function -> Policy -> Function cycle.
    assert slack_id not in json.dumps(statements)
    template.has_resource_properties("AWS::Lambda::EventInvokeConfig", {
        "FunctionName": {"Ref": slack_id}, "MaximumRetryAttempts": 0})
    template.has_resource_properties("AWS::Lambda::Url", {
        "AuthType": "NONE", "InvokeMode": Match.absent(),
        "TargetFunctionArn": {"Fn::GetAtt": [slack_id, "Arn"]}})
    url = template_json["Outputs"]["SlackEventsUrl"]["Value"]
    assert url["Fn::Join"][1][-1] == "slack/events"


def test_slack_off_leaves_no_slack_function_and_the_rest_unchanged() -> None:
    stack, template_json = synth(slack="false", publicUrl="https://api.example.com")
    names = [f["Properties"]["FunctionName"]
             for f in resources(template_json, "AWS::Lambda::Function").values()]
    assert sorted(names) == ["cloudstro-dev-api", "cloudstro-dev-scheduler",
                             "cloudstro-dev-worker"]
    assert "SlackEventsUrl" not in template_json["Outputs"]
    assert not re.search(r"lambda:InvokeFunction\"", json.dumps(
        [p for p in resources(template_json, "AWS::IAM::Policy").values()
         if "Scheduler" not in json.dumps(p["Properties"]["Roles"])]))
    for name in names:
        env = function_by_name(template_json, name)["Environment"]["Variables"]
        assert env["CLOUDSTRO_PUBLIC_URL"] == "https://api.example.com"
    assert "slack" not in stack.functions
    schedules = [s["Properties"]["Name"]
                 for s in resources(template_json, "AWS::Scheduler::Schedule").values()]
    assert sorted(schedules) == ["cloudstro-dev-insights", "cloudstro-dev-sync"]
