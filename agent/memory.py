"""Durable conversation memory: LangGraph checkpoints in DynamoDB.

Any server process or Lambda can continue any thread because the state lives in the
checkpoints table, not in memory. Items expire through the table's `ttl` attribute.

The saver talks to DynamoDB with its own boto3 client, so it gets the store's time budget
(`bounded_config`) and its failures pass through the store's one translation: a thread read
during an outage raises `StoreError` like every other read, never a raw botocore exception.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import boto3
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
)
from langgraph_checkpoint_aws import DynamoDBSaver

from cloudstro.store.dynamo import Dynamo, bounded_config, credentials_available


class StoreCheckpointer(DynamoDBSaver):
    """`DynamoDBSaver` whose every DynamoDB failure arrives as the store's error.

    The async methods of the base class run these sync ones in an executor, so they are
    covered too.
    """

    def __init__(self, dynamo: Dynamo, **saver_options: Any) -> None:
        super().__init__(**saver_options)
        self._dynamo = dynamo

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        with self._dynamo.translate_errors(self.table_name):
            return super().get_tuple(config)

    def list(self, config: RunnableConfig | None, *, filter: dict[str, Any] | None = None,
             before: RunnableConfig | None = None, limit: int | None = None
             ) -> Iterator[CheckpointTuple]:
        with self._dynamo.translate_errors(self.table_name):
            yield from super().list(config, filter=filter, before=before, limit=limit)

    def put(self, config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata,
            new_versions: ChannelVersions) -> RunnableConfig:
        with self._dynamo.translate_errors(self.table_name):
            return super().put(config, checkpoint, metadata, new_versions)

    def put_writes(self, config: RunnableConfig, writes: Sequence[tuple[str, Any]],
                   task_id: str, task_path: str = "") -> None:
        with self._dynamo.translate_errors(self.table_name):
            super().put_writes(config, writes, task_id, task_path)

    def delete_thread(self, thread_id: str) -> None:
        with self._dynamo.translate_errors(self.table_name):
            super().delete_thread(thread_id)


def make_checkpointer(dynamo: Dynamo) -> StoreCheckpointer:
    settings = dynamo.settings
    if dynamo.is_local and not credentials_available():
        session = boto3.Session(aws_access_key_id="local", aws_secret_access_key="local",
                                region_name=settings.aws_region)
    else:
        session = boto3.Session(region_name=settings.aws_region)
    return StoreCheckpointer(
        dynamo,
        table_name=settings.checkpoints_table,
        session=session,
        region_name=settings.aws_region,
        endpoint_url=dynamo.endpoint_url,
        boto_config=bounded_config(settings),
        ttl_seconds=settings.checkpoint_ttl_days * 86400,
        # Each checkpoint holds the whole conversation; gzip cuts a 20-turn thread's memory
        # traffic about 7x (benchmarks/bench_agent.py) at no measurable cost in turn time.
        enable_checkpoint_compression=True,
    )
