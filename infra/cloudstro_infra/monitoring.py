"""Alarms and a dashboard: the few signals that say CloudStro is failing its users.

Errors and throttles per function, messages stuck in a dead-letter queue, and Bedrock
refusing requests for capacity (the agent then apologises instead of answering). Alarms go to
one SNS topic; an e-mail subscription is added when `alarmEmail` is set.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

PERIOD = cdk.Duration.minutes(5)


class Monitoring(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, stage: str,
                 functions: dict[str, lambda_.Function], work_queue: sqs.Queue,
                 dead_letter_queues: dict[str, sqs.Queue], model_id: str,
                 alarm_email: str | None) -> None:
        super().__init__(scope, construct_id)
        self.topic = sns.Topic(self, "Alarms", display_name=f"CloudStro {stage} alarms",
                               enforce_ssl=True)
        if alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(alarm_email))
        self.alarms: list[cloudwatch.Alarm] = []
        for role, function in functions.items():
            self._alarm(f"{role}Errors", function.metric_errors(period=PERIOD),
                        f"{role} function raised errors")
            self._alarm(f"{role}Throttles", function.metric_throttles(period=PERIOD),
                        f"{role} function was throttled")
        for role, queue in dead_letter_queues.items():
            self._alarm(f"{role}DeadLetters",
                        queue.metric_approximate_number_of_messages_visible(
                            period=PERIOD, statistic="Maximum"),
                        f"messages in the {role} dead-letter queue")
        bedrock_throttles = cloudwatch.Metric(
            namespace="AWS/Bedrock", metric_name="InvocationThrottles",
            dimensions_map={"ModelId": model_id}, period=PERIOD, statistic="Sum")
        self._alarm("BedrockThrottles", bedrock_throttles,
                    "Bedrock throttled model calls (answers fell back to apologies)",
                    threshold=5)

        dashboard = cloudwatch.Dashboard(self, "Dashboard",
                                         dashboard_name=f"cloudstro-{stage}")
        dashboard.add_widgets(
            cloudwatch.GraphWidget(title="Invocations", width=12, left=[
                function.metric_invocations(period=PERIOD, label=role)
                for role, function in functions.items()]),
            cloudwatch.GraphWidget(title="Errors and throttles", width=12, left=[
                function.metric_errors(period=PERIOD, label=f"{role} errors")
                for role, function in functions.items()], right=[
                function.metric_throttles(period=PERIOD, label=f"{role} throttles")
                for role, function in functions.items()]),
        )
        dashboard.add_widgets(
            cloudwatch.GraphWidget(title="Duration p95 (ms)", width=12, left=[
                function.metric_duration(period=PERIOD, statistic="p95", label=role)
                for role, function in functions.items()]),
            cloudwatch.GraphWidget(title="Work queue", width=12, left=[
                work_queue.metric_approximate_number_of_messages_visible(period=PERIOD),
                *[queue.metric_approximate_number_of_messages_visible(
                    period=PERIOD, label=f"{role} dead letters")
                  for role, queue in dead_letter_queues.items()]], right=[
                work_queue.metric_approximate_age_of_oldest_message(period=PERIOD)]),
        )
        dashboard.add_widgets(cloudwatch.GraphWidget(title="Bedrock", width=24, left=[
            cloudwatch.Metric(namespace="AWS/Bedrock", metric_name="Invocations",
                              dimensions_map={"ModelId": model_id}, period=PERIOD,
                              statistic="Sum"),
            bedrock_throttles], right=[
            cloudwatch.Metric(namespace="AWS/Bedrock", metric_name="InvocationLatency",
                              dimensions_map={"ModelId": model_id}, period=PERIOD,
                              statistic="p95")]))

    def _alarm(self, construct_id: str, metric: cloudwatch.IMetric, description: str,
               threshold: float = 1) -> None:
        alarm = cloudwatch.Alarm(
            self, construct_id, metric=metric, threshold=threshold, evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=description)
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        self.alarms.append(alarm)
