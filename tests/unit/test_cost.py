"""`make cost`'s arithmetic on a small template, and that the real templates have every resource
type priced (or a reason it costs nothing)."""

from typing import Any

import pytest

from infra.cost import estimate, load_prices, schedules_of, unpriced_types

PRICES = load_prices()


def _total(items, field="usd_per_month"):
    return sum(getattr(item, field) for item in items)


def test_the_fixed_items_of_a_small_template_add_up():
    template = {
        "Resources": {
            "Nat": {"Type": "AWS::EC2::NatGateway", "Properties": {}},
            "Ip": {"Type": "AWS::EC2::EIP", "Properties": {}},
            "Key1": {"Type": "AWS::KMS::Key", "Properties": {}},
            "Key2": {"Type": "AWS::KMS::Key", "Properties": {}},
            "Secret": {"Type": "AWS::SecretsManager::Secret", "Properties": {}},
            "Dashboard": {"Type": "AWS::CloudWatch::Dashboard", "Properties": {}},
            "Alarm": {"Type": "AWS::CloudWatch::Alarm", "Properties": {}},
            "MathAlarm": {  # priced per metric it reads
                "Type": "AWS::CloudWatch::Alarm",
                "Properties": {
                    "Metrics": [
                        {"Id": "expr_1", "Expression": "SUM(METRICS())"},
                        {"Id": "m0", "MetricStat": {}},
                        {"Id": "m1", "MetricStat": {}},
                        {"Id": "m2", "MetricStat": {}},
                    ]
                },
            },
            "Cluster": {
                "Type": "AWS::RDS::DBCluster",
                "Properties": {"ServerlessV2ScalingConfiguration": {"MinCapacity": 0.5, "MaxCapacity": 4}},
            },
        }
    }
    items = {item.name: item.usd_per_month for item in estimate(template, PRICES)}
    assert items["nat gateway"] == pytest.approx(730 * 0.045)
    assert items["public ipv4 (nat gateway)"] == pytest.approx(730 * 0.005)
    assert items["kms keys (2)"] == pytest.approx(2.0)
    assert items["secrets (1)"] == pytest.approx(0.40)
    assert items["dashboards (1)"] == pytest.approx(3.00)
    assert items["alarm metrics (2 alarms)"] == pytest.approx(0.40)
    assert items["aurora capacity (cluster)"] == pytest.approx(0.5 * 730 * 0.12)


def test_a_paused_cluster_costs_only_its_awake_time_after_each_schedule():
    template = {
        "Resources": {
            "Cluster": {
                "Type": "AWS::RDS::DBCluster",
                "Properties": {"ServerlessV2ScalingConfiguration": {"MinCapacity": 0, "MaxCapacity": 2}},
            },
            "Hourly": {"Type": "AWS::Events::Rule", "Properties": {"ScheduleExpression": "rate(1 hour)"}},
        }
    }
    items = {item.name: item for item in estimate(template, PRICES)}
    # 730 wakes a month, 6 minutes awake each, at 0.5 ACU
    assert items["aurora capacity (cluster)"].usd_per_month == pytest.approx(730 * 0.1 * 0.5 * 0.12)
    assert items["database awake for jobs"].usd_per_1000_jobs > 0


def test_schedules_firing_in_the_same_minute_wake_a_paused_cluster_once():
    def cluster_with(*expressions: str) -> dict[str, Any]:
        rules = {
            f"Rule{n}": {"Type": "AWS::Events::Rule", "Properties": {"ScheduleExpression": expression}}
            for n, expression in enumerate(expressions)
        }
        cluster = {
            "Type": "AWS::RDS::DBCluster",
            "Properties": {"ServerlessV2ScalingConfiguration": {"MinCapacity": 0, "MaxCapacity": 2}},
        }
        return {"Resources": {"Cluster": cluster, **rules}}

    def awake(template: dict[str, Any]) -> float:
        items = {item.name: item for item in estimate(template, PRICES)}
        return items["aurora capacity (cluster)"].usd_per_month

    hourly = awake(cluster_with("cron(0 * * * ? *)"))
    assert hourly == pytest.approx(730 * 0.1 * 0.5 * 0.12)
    # four aligned hourly rules, and one every two hours on the same minute: still one wake an hour
    assert awake(cluster_with(*["cron(0 * * * ? *)"] * 4, "cron(0 0/2 * * ? *)")) == pytest.approx(hourly)
    # rates keep no phase with each other: each wakes the cluster
    assert awake(cluster_with("rate(1 hour)", "rate(1 hour)")) == pytest.approx(2 * hourly)
    # but every rule's run is still paid for as function time
    runs = schedules_of(cluster_with(*["cron(0 * * * ? *)"] * 4, "cron(0 0/2 * * ? *)")).runs_per_month
    assert runs == pytest.approx(4 * 730 + 365)


def test_a_schedule_the_estimate_cannot_read_is_refused():
    template = {
        "Resources": {"Odd": {"Type": "AWS::Events::Rule", "Properties": {"ScheduleExpression": "cron(0/7 * * * ? *)"}}}
    }
    with pytest.raises(ValueError, match="cannot read the schedule"):
        estimate(template, PRICES)


def test_an_unpriced_resource_type_is_refused():
    template = {"Resources": {"Odd": {"Type": "AWS::Neptune::DBCluster", "Properties": {}}}}
    assert unpriced_types(template, PRICES) == {"AWS::Neptune::DBCluster"}
    with pytest.raises(ValueError, match="Neptune"):
        estimate(template, PRICES)
