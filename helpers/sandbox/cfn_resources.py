"""CloudFormation resource types that moto 5.2.5 skips (it warns and creates nothing) and the
kit's config-recorder template uses, so its stack set really records in each account.

- AWS::Config::ConfigurationRecorder and AWS::Config::DeliveryChannel put the recorder and
  the channel into the account's Config backend; as CloudFormation does, the recorder starts
  once both exist (DescribeConfigurationRecorderStatus: recording).
- AWS::Config::ConfigRule puts a rule; like AWS, it needs a recorder in the account and
  region (NoAvailableConfigurationRecorderException), and AWS managed rules are checked
  against AWS's list by moto.
- AWS::S3::BucketPolicy puts the bucket's policy (and deletes it with the stack).
- Deleting a stack stops and removes them again.

Each model is a direct CloudFormationModel subclass (moto's model map lists the direct
subclasses); the map's caches are cleared so they are seen even after a first lookup.
"""

from __future__ import annotations

import json
from typing import Any

from moto.cloudformation import parsing
from moto.config.exceptions import NoAvailableConfigurationRecorderException
from moto.config.models import ConfigBackend, config_backends
from moto.core.common_models import CloudFormationModel
from moto.s3.models import s3_backends

PARTITION = "aws"


def _backend(account_id: str, region: str) -> ConfigBackend:
    return config_backends[account_id][region]


def _flag(value: Any) -> bool:
    return str(value).lower() == "true"


def _start_when_ready(backend: ConfigBackend) -> None:
    """CloudFormation starts the recorder as soon as a delivery channel exists."""
    if backend.delivery_channels:
        for name, recorder in backend.recorders.items():
            if not recorder.status.recording:
                backend.start_configuration_recorder(name)


class _Named:
    """A resource known by its name, in one account and region."""

    def __init__(self, account_id: str, region: str, name: str) -> None:
        self.account_id, self.region, self.name = account_id, region, name

    @property
    def physical_resource_id(self) -> str:
        return self.name


class ConfigurationRecorder(_Named, CloudFormationModel):
    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Config::ConfigurationRecorder"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **_
    ) -> ConfigurationRecorder:
        properties = cloudformation_json["Properties"]
        group = properties.get("RecordingGroup") or {"AllSupported": True}
        backend = _backend(account_id, region_name)
        backend.put_configuration_recorder(
            {
                "name": resource_name,
                "roleARN": properties["RoleARN"],
                "recordingGroup": {
                    "allSupported": _flag(group.get("AllSupported", False)),
                    "includeGlobalResourceTypes": _flag(
                        group.get("IncludeGlobalResourceTypes", False)
                    ),
                    "resourceTypes": group.get("ResourceTypes", []),
                },
            }
        )
        _start_when_ready(backend)
        return cls(account_id, region_name, resource_name)

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        if self.name in backend.recorders:
            backend.stop_configuration_recorder(self.name)
            backend.delete_configuration_recorder(self.name)


class DeliveryChannel(_Named, CloudFormationModel):
    @staticmethod
    def cloudformation_name_type() -> str:
        return "Name"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Config::DeliveryChannel"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **_
    ) -> DeliveryChannel:
        properties = cloudformation_json["Properties"]
        channel: dict[str, Any] = {
            "name": resource_name,
            "s3BucketName": properties["S3BucketName"],
        }
        snapshot = properties.get("ConfigSnapshotDeliveryProperties")
        if snapshot:
            channel["configSnapshotDeliveryProperties"] = {
                "deliveryFrequency": snapshot["DeliveryFrequency"]
            }
        backend = _backend(account_id, region_name)
        backend.put_delivery_channel(channel)
        _start_when_ready(backend)
        return cls(account_id, region_name, resource_name)

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        for name in list(backend.recorders):  # a recording recorder keeps its last channel
            backend.stop_configuration_recorder(name)
        backend.delivery_channels.pop(self.name, None)


class ConfigRule(_Named, CloudFormationModel):
    @staticmethod
    def cloudformation_name_type() -> str:
        return "ConfigRuleName"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Config::ConfigRule"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **_
    ) -> ConfigRule:
        properties = cloudformation_json["Properties"]
        backend = _backend(account_id, region_name)
        if not backend.recorders:
            raise NoAvailableConfigurationRecorderException()
        source = properties["Source"]
        rule: dict[str, Any] = {
            "ConfigRuleName": resource_name,
            "Source": {"Owner": source["Owner"], "SourceIdentifier": source["SourceIdentifier"]},
        }
        if properties.get("InputParameters"):
            rule["InputParameters"] = json.dumps(properties["InputParameters"])
        backend.put_config_rule(rule)
        return cls(account_id, region_name, resource_name)

    def delete(self, account_id: str, region_name: str) -> None:
        backend = _backend(account_id, region_name)
        if self.name in backend.config_rules:
            backend.delete_config_rule(self.name)


class BucketPolicy(_Named, CloudFormationModel):
    @staticmethod
    def cloudformation_name_type() -> str:
        return "Bucket"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::S3::BucketPolicy"

    @classmethod
    def create_from_cloudformation_json(  # type: ignore[misc]
        cls, resource_name: str, cloudformation_json: Any, account_id: str, region_name: str, **_
    ) -> BucketPolicy:
        properties = cloudformation_json["Properties"]
        bucket = properties["Bucket"]
        document = json.dumps(properties["PolicyDocument"]).encode()
        s3_backends[account_id][PARTITION].put_bucket_policy(bucket, document)
        return cls(account_id, region_name, bucket)

    def delete(self, account_id: str, region_name: str) -> None:
        s3 = s3_backends[account_id][PARTITION]
        if self.name in s3.buckets:
            s3.delete_bucket_policy(self.name)


parsing.get_model_map.cache_clear()
parsing.get_name_type_map.cache_clear()
