from __future__ import annotations

import json
from datetime import datetime

import pytest
import yaml

from stampede.capacity import (
    LeadTime,
    cron_prewarm,
    ecs_policy,
    hpa_policy,
    lead_time,
    queue_scaling,
    render_aws,
    render_hpa,
    render_keda,
)
from stampede.core.errors import ConfigError

SALE = datetime(2025, 11, 28, 9, 0)
END = datetime(2025, 11, 28, 10, 0)
LEAD = LeadTime(metric_delay_s=45, task_start_s=60, health_check_s=30, margin_s=165)


def test_lead_time_is_a_stated_sum() -> None:
    assert LEAD.total_s == 300
    assert LEAD.describe() == (
        "metric delay 45 s + task start 60 s + health checks 30 s + margin 165 s = 300 s"
    )
    ecs = lead_time("ecs", task_start_s=60)
    assert ecs.metric_delay_s == 240 and ecs.total_s == 240 + 60 + 30 + 300


def test_hpa_renders_autoscaling_v2_with_fast_up_slow_down() -> None:
    doc = yaml.safe_load(
        render_hpa(
            hpa_policy("catalog", "shop", min_replicas=3, max_replicas=40, target_utilization=0.6)
        )
    )
    assert doc["apiVersion"] == "autoscaling/v2" and doc["kind"] == "HorizontalPodAutoscaler"
    spec = doc["spec"]
    assert spec["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": "catalog",
    }
    assert (spec["minReplicas"], spec["maxReplicas"]) == (3, 40)
    assert spec["metrics"] == [
        {
            "type": "Resource",
            "resource": {
                "name": "cpu",
                "target": {"type": "Utilization", "averageUtilization": 60},
            },
        }
    ]
    up, down = spec["behavior"]["scaleUp"], spec["behavior"]["scaleDown"]
    assert up["stabilizationWindowSeconds"] == 0
    assert up["policies"] == [
        {"type": "Percent", "value": 100, "periodSeconds": 15},
        {"type": "Pods", "value": 4, "periodSeconds": 15},
    ]
    assert down["stabilizationWindowSeconds"] == 300
    assert down["policies"] == [{"type": "Percent", "value": 10, "periodSeconds": 60}]


def test_hpa_pods_metric_targets_requests_per_pod() -> None:
    p = hpa_policy(
        "catalog",
        "shop",
        min_replicas=2,
        max_replicas=9,
        target_utilization=0.5,
        metric="pods",
        safe_rps_per_replica=90,
    )
    metric = yaml.safe_load(render_hpa(p))["spec"]["metrics"][0]
    assert metric["type"] == "Pods"
    assert metric["pods"]["target"] == {"type": "AverageValue", "averageValue": "45"}


def test_keda_cron_prewarms_one_lead_time_early() -> None:
    hpa = hpa_policy("orders", "shop", min_replicas=2, max_replicas=30, target_utilization=0.6)
    doc = yaml.safe_load(
        render_keda(
            cron_prewarm(
                hpa,
                timezone="Europe/Paris",
                sale_start=SALE,
                sale_end=END,
                lead=LEAD,
                peak_replicas=24,
            )
        )
    )
    assert doc["apiVersion"] == "keda.sh/v1alpha1" and doc["kind"] == "ScaledObject"
    cron = doc["spec"]["triggers"][0]
    assert cron == {
        "type": "cron",
        "metadata": {
            "timezone": "Europe/Paris",
            "start": "55 8 28 11 *",
            "end": "0 10 28 11 *",
            "desiredReplicas": "24",
        },
    }
    assert doc["spec"]["triggers"][1]["type"] == "cpu"
    assert (
        doc["spec"]["advanced"]["horizontalPodAutoscalerConfig"]["behavior"]["scaleDown"][
            "stabilizationWindowSeconds"
        ]
        == 300
    )


def test_a_queue_consumer_scales_on_the_queues_backlog() -> None:
    # 800 messages/s a replica at 60 % for a 30 s lag: one replica per 14,400 waiting
    queue = queue_scaling(
        "stampede.notifications", safe_rps_per_replica=800, target_utilization=0.6, lag_s=30
    )
    assert queue.backlog_per_replica == 14_400
    hpa = hpa_policy(
        "notifications", "shop", min_replicas=2, max_replicas=30, target_utilization=0.6
    )
    text = render_keda(
        cron_prewarm(
            hpa,
            timezone="UTC",
            sale_start=SALE,
            sale_end=END,
            lead=LEAD,
            peak_replicas=4,
            queue=queue,
        )
    )
    cron, reactive = yaml.safe_load(text)["spec"]["triggers"]
    assert cron["type"] == "cron"
    assert reactive == {
        "type": "rabbitmq",
        "metadata": {
            "protocol": "amqp",
            "queueName": "stampede.notifications",
            "mode": "QueueLength",
            "value": "14400",
            "hostFromEnv": "RABBITMQ_HOST",
        },
    }
    assert "one replica per 14,400 messages waiting" in text and "RABBITMQ_HOST" in text
    # a replica that drains less than one message in its lag still faces one
    tiny = queue_scaling("q", safe_rps_per_replica=0.01, target_utilization=0.5, lag_s=1)
    assert tiny.backlog_per_replica == 1


def test_aws_documents_match_the_cli_shapes() -> None:
    label = "app/shop/0123/targetgroup/orders/4567"
    policy = ecs_policy(
        "orders",
        "shop",
        timezone="UTC",
        baseline=3,
        peak=24,
        max_capacity=30,
        target_utilization=0.6,
        safe_rps_per_replica=50.0,
        sale_start=SALE,
        sale_end=END,
        lead=LEAD,
        metric="alb",
        resource_label=label,
    )
    docs = {k: json.loads(v) for k, v in render_aws(policy).items()}
    target = docs["register-scalable-target"]
    assert target == {
        "ServiceNamespace": "ecs",
        "ResourceId": "service/shop/orders",
        "ScalableDimension": "ecs:service:DesiredCount",
        "MinCapacity": 3,
        "MaxCapacity": 30,
    }
    config = docs["put-scaling-policy"]["TargetTrackingScalingPolicyConfiguration"]
    # ALBRequestCountPerTarget counts per minute: 50 req/s × 0.6 × 60
    assert config["TargetValue"] == 1800.0
    assert config["PredefinedMetricSpecification"] == {
        "PredefinedMetricType": "ALBRequestCountPerTarget",
        "ResourceLabel": label,
    }
    assert (config["ScaleOutCooldown"], config["ScaleInCooldown"]) == (60, 300)
    assert docs["put-scaling-policy"]["PolicyType"] == "TargetTrackingScaling"
    prewarm = docs["put-scheduled-action-orders-prewarm"]
    assert prewarm["Schedule"] == "at(2025-11-28T08:55:00)"
    assert prewarm["ScalableTargetAction"] == {"MinCapacity": 24, "MaxCapacity": 30}
    release = docs["put-scheduled-action-orders-release"]
    assert release["Schedule"] == "at(2025-11-28T10:00:00)"
    assert release["ScalableTargetAction"]["MinCapacity"] == 3


def test_ecs_cpu_metric() -> None:
    policy = ecs_policy(
        "users",
        "shop",
        timezone="UTC",
        baseline=2,
        peak=5,
        max_capacity=10,
        target_utilization=0.6,
        safe_rps_per_replica=50.0,
        sale_start=SALE,
        sale_end=END,
        lead=LEAD,
    )
    doc = json.loads(render_aws(policy)["put-scaling-policy"])
    config = doc["TargetTrackingScalingPolicyConfiguration"]
    assert config["TargetValue"] == 60.0
    assert config["PredefinedMetricSpecification"] == {
        "PredefinedMetricType": "ECSServiceAverageCPUUtilization"
    }


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (
            lambda: ecs_policy(
                "a",
                "c",
                timezone="UTC",
                baseline=1,
                peak=2,
                max_capacity=3,
                target_utilization=0.5,
                safe_rps_per_replica=1,
                sale_start=SALE,
                sale_end=END,
                lead=LEAD,
                metric="alb",
            ),
            "resource_label",
        ),
        (
            lambda: hpa_policy("a", "n", min_replicas=5, max_replicas=2, target_utilization=0.5),
            "min <= max",
        ),
        (
            lambda: cron_prewarm(
                hpa_policy("a", "n", min_replicas=1, max_replicas=2, target_utilization=0.5),
                timezone="UTC",
                sale_start=END,
                sale_end=SALE,
                lead=LEAD,
                peak_replicas=2,
            ),
            "end after it starts",
        ),
    ],
)
def test_bad_policies_are_config_errors(call: object, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        call()  # type: ignore[operator]
