"""Render policies as the text their tools take: Kubernetes YAML, AWS CLI JSON.

The JSON documents are the ``--cli-input-json`` shapes of
``aws application-autoscaling register-scalable-target``,
``put-scaling-policy`` and ``put-scheduled-action``. Apply either the HPA
(reactive only) or the KEDA ScaledObject (scheduled plus reactive) to a
Deployment, never both: KEDA manages its own HPA.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import yaml

from stampede.capacity._policies import CronPrewarm, EcsPolicy, HpaPolicy, ScalingBehavior

ECS_DIMENSION = "ecs:service:DesiredCount"
#: the annotation of a ScaledObject saying when its yearless cron pre-warm must go
REMOVE_AFTER = "stampede.dev/remove-after"


def _behavior(b: ScalingBehavior) -> dict[str, Any]:
    return {
        "stabilizationWindowSeconds": b.stabilization_s,
        "selectPolicy": b.select,
        "policies": [
            {"type": r.type, "value": r.value, "periodSeconds": r.period_s} for r in b.rules
        ],
    }


def _metric(p: HpaPolicy) -> dict[str, Any]:
    if p.metric == "cpu":
        return {
            "type": "Resource",
            "resource": {
                "name": "cpu",
                "target": {"type": "Utilization", "averageUtilization": int(p.target)},
            },
        }
    return {
        "type": "Pods",
        "pods": {
            "metric": {"name": p.pods_metric_name},
            "target": {"type": "AverageValue", "averageValue": f"{p.target:g}"},
        },
    }


def hpa_manifest(p: HpaPolicy) -> dict[str, Any]:
    """The HorizontalPodAutoscaler object as a plain mapping."""
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": p.service, "namespace": p.namespace},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": p.service},
            "minReplicas": p.min_replicas,
            "maxReplicas": p.max_replicas,
            "metrics": [_metric(p)],
            "behavior": {"scaleUp": _behavior(p.scale_up), "scaleDown": _behavior(p.scale_down)},
        },
    }


def _cron(at: datetime) -> str:
    return f"{at.minute} {at.hour} {at.day} {at.month} *"


#: the counter the reference store exports on ``/metrics`` (labels service, method, route,
#: status); the gateway answers every request, so its rate is all of them
REQUESTS_COUNTER = "stampede_store_requests_total"


def requests_rate_query(service: str) -> str:
    """The PromQL rate of the requests ``service`` answers, as the store exports it."""
    selector = "" if service == "gateway" else f'{{service="{service}"}}'
    return f"sum(rate({REQUESTS_COUNTER}{selector}[1m]))"


def _reactive_trigger(c: CronPrewarm) -> dict[str, Any]:
    """The trigger that scales between pre-warms: the queue's backlog, CPU or requests."""
    p = c.hpa
    if c.queue is not None:
        return {
            "type": "rabbitmq",
            "metadata": {
                "protocol": "amqp",
                "queueName": c.queue.queue,
                "mode": "QueueLength",
                "value": str(c.queue.backlog_per_replica),
                "hostFromEnv": c.queue.host_env,
            },
        }
    if p.metric == "cpu":
        return {
            "type": "cpu",
            "metricType": "Utilization",
            "metadata": {"value": f"{p.target:g}"},
        }
    return {
        "type": "prometheus",
        "metricType": "AverageValue",
        "metadata": {
            "serverAddress": "http://prometheus.monitoring:9090",
            "query": requests_rate_query(p.service),
            "threshold": f"{p.target:g}",
        },
    }


def keda_manifest(c: CronPrewarm) -> dict[str, Any]:
    """The KEDA ScaledObject (cron pre-warm plus the reactive metric) as a mapping."""
    p = c.hpa
    return {
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "ScaledObject",
        "metadata": {
            "name": f"{p.service}-prewarm",
            "namespace": p.namespace,
            "annotations": {REMOVE_AFTER: c.end.isoformat()},
        },
        "spec": {
            "scaleTargetRef": {"name": p.service},
            "minReplicaCount": p.min_replicas,
            "maxReplicaCount": max(p.max_replicas, c.desired_replicas),
            "advanced": {
                "horizontalPodAutoscalerConfig": {
                    "behavior": {
                        "scaleUp": _behavior(p.scale_up),
                        "scaleDown": _behavior(p.scale_down),
                    }
                }
            },
            "triggers": [
                {
                    "type": "cron",
                    "metadata": {
                        "timezone": c.timezone,
                        "start": _cron(c.start),
                        "end": _cron(c.end),
                        "desiredReplicas": str(c.desired_replicas),
                    },
                },
                _reactive_trigger(c),
            ],
        },
    }


def render_hpa(p: HpaPolicy) -> str:
    """The HPA as a YAML document, its header saying to apply it and no ScaledObject."""
    header = [
        f"HorizontalPodAutoscaler for Deployment {p.namespace}/{p.service} "
        "(stampede plan --autoscaler hpa).",
        "Apply this one and no KEDA ScaledObject for the same Deployment: two autoscalers on",
        "one Deployment fight over its replicas, and KEDA's webhook refuses the second.",
        "Reactive only, no pre-warm for the sale: --autoscaler keda writes a ScaledObject that",
        "raises the replicas one lead time before the sale opens.",
    ]
    return _commented(header) + yaml.safe_dump(hpa_manifest(p), sort_keys=False)


def render_keda(c: CronPrewarm) -> str:
    """The KEDA ScaledObject as a YAML document, its header saying when to remove it."""
    p = c.hpa
    again = _next_year(c.start)
    header = [
        f"KEDA ScaledObject for Deployment {p.namespace}/{p.service} "
        "(stampede plan --autoscaler keda, the default).",
        "Apply this one and no HorizontalPodAutoscaler for the same Deployment: KEDA creates",
        "and owns the HPA, and its webhook refuses a ScaledObject beside another HPA.",
        f"The cron trigger holds {c.desired_replicas} replicas from {c.start:%Y-%m-%d %H:%M} "
        f"to {c.end:%Y-%m-%d %H:%M} ({c.timezone}).",
        "KEDA's cron has no year, so the trigger would fire again on "
        f"{again:%Y-%m-%d %H:%M}: remove this ScaledObject",
        f"(or its cron trigger) after {c.end:%Y-%m-%d %H:%M}; annotation {REMOVE_AFTER} says when.",
    ]
    if c.queue is not None:
        header += [
            f"It consumes RabbitMQ queue {c.queue.queue}: one replica per "
            f"{c.queue.backlog_per_replica:,} messages waiting (what one drains in its lag",
            f"budget at its target utilisation); the broker's amqp:// URL is the container's "
            f"{c.queue.host_env}.",
        ]
    return _commented(header) + yaml.safe_dump(keda_manifest(c), sort_keys=False)


def _commented(lines: list[str]) -> str:
    return "".join(f"# {line}\n" for line in lines)


def _next_year(at: datetime) -> datetime:
    """The next time a yearless cron of ``at`` fires (29 February waits for a leap year)."""
    year = at.year + 1
    while True:
        try:
            return at.replace(year=year)
        except ValueError:
            year += 1


def aws_documents(p: EcsPolicy) -> dict[str, dict[str, Any]]:
    """The CLI input documents, keyed by the command each one is for."""
    target: dict[str, Any] = {
        "ServiceNamespace": "ecs",
        "ResourceId": p.resource_id,
        "ScalableDimension": ECS_DIMENSION,
    }
    spec: dict[str, Any] = {
        "PredefinedMetricType": "ECSServiceAverageCPUUtilization"
        if p.metric == "cpu"
        else "ALBRequestCountPerTarget"
    }
    if p.metric == "alb":
        spec["ResourceLabel"] = p.resource_label
    docs: dict[str, dict[str, Any]] = {
        "register-scalable-target": {
            **target,
            "MinCapacity": p.min_capacity,
            "MaxCapacity": p.max_capacity,
        },
        "put-scaling-policy": {
            "PolicyName": f"{p.service}-target-tracking",
            **target,
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": p.target_value,
                "PredefinedMetricSpecification": spec,
                "ScaleOutCooldown": p.scale_out_cooldown_s,
                "ScaleInCooldown": p.scale_in_cooldown_s,
                "DisableScaleIn": False,
            },
        },
    }
    for action in p.scheduled:
        docs[f"put-scheduled-action-{action.name}"] = {
            **target,
            "ScheduledActionName": action.name,
            "Schedule": f"at({action.at.strftime('%Y-%m-%dT%H:%M:%S')})",
            "Timezone": p.timezone,
            "ScalableTargetAction": {
                "MinCapacity": action.min_capacity,
                "MaxCapacity": action.max_capacity,
            },
        }
    return docs


def render_aws(p: EcsPolicy) -> dict[str, str]:
    """The CLI input documents as JSON text, keyed by command."""
    return {name: json.dumps(doc, indent=2) + "\n" for name, doc in aws_documents(p).items()}
