"""The written policies against their schemas, offline.

- the HPA with ``kubernetes-validate`` (the Kubernetes OpenAPI schema, strict: no unknown
  fields), and the behaviour a ScaledObject hands its HPA the same way;
- the AWS documents with botocore's ``ParamValidator`` against the application-autoscaling
  service model, for the operation each document is the ``--cli-input-json`` of;
- the KEDA ScaledObject against the fields KEDA's ScaledObject CRD defines (keda-docs,
  reference/scaledobject-spec.md): the test encodes those fields, the cron trigger's
  metadata and the metric types it allows.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import botocore.session
import kubernetes_validate
import pytest
import yaml
from botocore.validate import ParamValidator

from stampede.capacity import (
    SERVICES,
    Autoscaling,
    CapacityPlan,
    PlanConfig,
    ProbeFacts,
    SaleSimulation,
    SaleWindow,
    Topology,
    load_stats_history,
    make_plan,
    topology_from_mapping,
    write_plan,
)
from stampede.core.errors import ConfigError
from tests.capacity.synthetic import Truth

K8S_VERSION = "1.33"
KEDA_SPEC = {
    "scaleTargetRef",
    "pollingInterval",
    "cooldownPeriod",
    "initialCooldownPeriod",
    "idleReplicaCount",
    "minReplicaCount",
    "maxReplicaCount",
    "fallback",
    "advanced",
    "triggers",
}
KEDA_TARGET = {"apiVersion", "kind", "name", "envSourceContainerName"}
KEDA_ADVANCED = {
    "restoreToOriginalReplicaCount",
    "horizontalPodAutoscalerConfig",
    "scalingModifiers",
}
KEDA_TRIGGER = {"type", "name", "metadata", "authenticationRef", "metricType", "useCachedMetrics"}
KEDA_METRIC_TYPES = {"AverageValue", "Value", "Utilization"}
KEDA_CRON = {"timezone", "start", "end", "desiredReplicas"}
#: keda-docs, scalers/rabbitmq-queue.md: the trigger's metadata
KEDA_RABBITMQ = {
    "host", "protocol", "mode", "value", "activationValue", "queueName", "vhostName",
    "hostFromEnv", "usernameFromEnv", "passwordFromEnv", "unsafeSsl", "useRegex",
    "excludeUnacknowledged", "pageSize", "operation", "timeout",
}  # fmt: skip
AWS_OPERATIONS = {
    "register-scalable-target": "RegisterScalableTarget",
    "put-scaling-policy": "PutScalingPolicy",
    "put-scheduled-action": "PutScheduledAction",
}


@pytest.fixture(scope="module")
def plan(history_csv: Path, truth: Truth) -> CapacityPlan:
    return make_plan(
        load_stats_history(history_csv),
        PlanConfig(
            target_users=1000,
            slo_p95_ms=500,
            sale=SaleWindow(datetime(2025, 11, 28, 9), 900),
            run=ProbeFacts(think_time_s=truth.think_s),
            simulation=SaleSimulation(controllers=("hpa",)),
        ),
    )


def _keda_errors(doc: Mapping[str, Any]) -> list[str]:
    spec = doc["spec"]
    errors = [f"spec.{k}" for k in set(spec) - KEDA_SPEC]
    errors += [f"spec.scaleTargetRef.{k}" for k in set(spec["scaleTargetRef"]) - KEDA_TARGET]
    errors += [f"spec.advanced.{k}" for k in set(spec.get("advanced", {})) - KEDA_ADVANCED]
    for i, trigger in enumerate(spec["triggers"]):
        errors += [f"triggers[{i}].{k}" for k in set(trigger) - KEDA_TRIGGER]
        if trigger.get("metricType", "AverageValue") not in KEDA_METRIC_TYPES:
            errors.append(f"triggers[{i}].metricType={trigger['metricType']}")
        values = trigger["metadata"].values()
        if not all(isinstance(v, str) for v in values):  # KEDA's metadata is map[string]string
            errors.append(f"triggers[{i}].metadata holds a non-string")
        if trigger["type"] == "cron" and set(trigger["metadata"]) != KEDA_CRON:
            errors.append(f"triggers[{i}] cron metadata {sorted(trigger['metadata'])}")
        if trigger["type"] == "rabbitmq":
            metadata = trigger["metadata"]
            errors += [f"triggers[{i}] rabbitmq {k}" for k in set(metadata) - KEDA_RABBITMQ]
            if metadata.get("mode") not in ("QueueLength", "MessageRate"):
                errors.append(f"triggers[{i}] rabbitmq mode {metadata.get('mode')}")
            if not {"queueName", "value"} <= set(metadata) or not int(metadata["value"]) >= 1:
                errors.append(f"triggers[{i}] rabbitmq needs queueName and a value >= 1")
            if not {"host", "hostFromEnv"} & set(metadata) and "authenticationRef" not in trigger:
                errors.append(f"triggers[{i}] rabbitmq names no broker")
    if not spec["minReplicaCount"] <= spec["maxReplicaCount"]:
        errors.append("minReplicaCount > maxReplicaCount")
    return errors


@pytest.mark.parametrize("autoscaler", ["keda", "hpa"])
def test_the_kubernetes_files_are_schema_valid(
    plan: CapacityPlan, tmp_path: Path, autoscaler: str
) -> None:
    write_plan(plan, tmp_path, charts=False, autoscaler=autoscaler)  # type: ignore[arg-type]
    files = sorted((tmp_path / "k8s").glob("*.yaml"))
    assert len(files) == len(plan.sizing)
    if autoscaler == "keda":  # the reference's notifications consume its queue
        notifications = yaml.safe_load((tmp_path / "k8s" / "keda-notifications.yaml").read_text())
        assert notifications["spec"]["triggers"][1]["type"] == "rabbitmq"
    for path in files:
        doc = yaml.safe_load(path.read_text())
        if doc["kind"] == "HorizontalPodAutoscaler":
            kubernetes_validate.validate(doc, K8S_VERSION, strict=True)
            continue
        assert doc["apiVersion"] == "keda.sh/v1alpha1" and doc["kind"] == "ScaledObject"
        assert _keda_errors(doc) == [], path.name
        behaviour = doc["spec"]["advanced"]["horizontalPodAutoscalerConfig"]["behavior"]
        hpa = {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "x"},
            "spec": {
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "x"},
                "maxReplicas": 2,
                "behavior": behaviour,
            },
        }
        kubernetes_validate.validate(hpa, K8S_VERSION, strict=True)


def test_a_field_keda_does_not_define_is_caught(plan: CapacityPlan, tmp_path: Path) -> None:
    write_plan(plan, tmp_path, charts=False)
    doc = yaml.safe_load(next((tmp_path / "k8s").glob("keda-*.yaml")).read_text())
    doc["spec"]["maxReplicas"] = 3
    doc["spec"]["triggers"][0]["metadata"]["desiredReplicas"] = 3
    assert _keda_errors(doc) == ["spec.maxReplicas", "triggers[0].metadata holds a non-string"]


def test_the_aws_documents_are_valid_for_their_operations(
    plan: CapacityPlan, tmp_path: Path
) -> None:
    write_plan(plan, tmp_path, charts=False)
    model = botocore.session.get_session().get_service_model("application-autoscaling")
    validator = ParamValidator()
    checked = 0
    for path in sorted((tmp_path / "aws").glob("*/*.json")):
        command = next(c for c in AWS_OPERATIONS if path.stem.startswith(c))
        shape = model.operation_model(AWS_OPERATIONS[command]).input_shape
        report = validator.validate(yaml.safe_load(path.read_text()), shape)
        assert not report.has_errors(), f"{path}: {report.generate_report()}"
        checked += 1
    assert checked >= 2 * len(plan.sizing)


def _alb_plan(history_csv: Path, truth: Truth, topology: Topology | None) -> CapacityPlan:
    return make_plan(
        load_stats_history(history_csv),
        PlanConfig(
            target_users=1000,
            slo_p95_ms=500,
            sale=SaleWindow(datetime(2025, 11, 28, 9), 900),
            run=ProbeFacts(think_time_s=truth.think_s),
            simulation=SaleSimulation(controllers=("ecs",)),
            autoscaling=Autoscaling(
                ecs_metric="alb", alb_resource_label="app/shop/1/targetgroup/all/2"
            ),
            topology=topology,
        ),
    )


def test_one_target_group_label_for_every_service_is_refused(
    history_csv: Path, truth: Truth
) -> None:
    with pytest.raises(ConfigError, match=r"one ALB target-group label .* for 7 services"):
        _alb_plan(history_csv, truth, None)


def test_each_service_scales_on_its_own_target_group(
    history_csv: Path, truth: Truth, tmp_path: Path
) -> None:
    labels = {
        s: f"app/shop/50dc6c495c0c9188/targetgroup/{s}/{i:016x}" for i, s in enumerate(SERVICES)
    }
    topology = topology_from_mapping(
        {"services": {s: {"alb_resource_label": label} for s, label in labels.items()}}
    )
    plan = _alb_plan(history_csv, truth, topology)
    write_plan(plan, tmp_path, charts=False)
    for s, label in labels.items():
        doc = json.loads((tmp_path / "aws" / s / "put-scaling-policy.json").read_text())
        spec = doc["TargetTrackingScalingPolicyConfiguration"]["PredefinedMetricSpecification"]
        assert spec == {"PredefinedMetricType": "ALBRequestCountPerTarget", "ResourceLabel": label}
