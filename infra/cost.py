"""`make cost`: what each deployment profile costs, read from its synthesised templates (the stack's and its
nested stacks', as one: `infra.templates`) and the checked-in price table (infra/prices.json: region, date
and source of every price, and the assumptions of the estimate). Prints one JSON line per item and per
profile total, then a table."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.templates import flatten, read_stack

PRICE_TABLE = Path(__file__).resolve().parent / "prices.json"
_RATE = re.compile(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)")
_MINUTES = {"minute": 1, "minutes": 1, "hour": 60, "hours": 60, "day": 1440, "days": 1440}
# the aligned schedules the CDK app writes: a minute, and every hour, every n hours from midnight, or one hour
_CRON = re.compile(r"cron\((\d+) (\*|0/\d+|\d+) \* \* \? \*\)")
MINUTES_PER_MONTH = 730 * 60
MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True)
class Item:
    """One line of the estimate."""

    name: str
    usd_per_month: float = 0.0
    usd_per_1000_jobs: float = 0.0


def load_prices(path: Path = PRICE_TABLE) -> dict[str, Any]:
    """The price table."""
    table: dict[str, Any] = json.loads(path.read_text())
    return table


def unpriced_types(template: Mapping[str, Any], prices: Mapping[str, Any]) -> set[str]:
    """Resource types of the template the price table says nothing about."""
    return {resource["Type"] for resource in template["Resources"].values()} - set(prices["resource_types"])


def _of_type(template: Mapping[str, Any], resource_type: str) -> list[dict[str, Any]]:
    return [r.get("Properties", {}) for r in template["Resources"].values() if r["Type"] == resource_type]


@dataclass(frozen=True)
class Schedules:
    """When the template's scheduled rules run: each rate's interval, and the minute of the day of every
    run of the cron rules (rules firing in the same minute share it)."""

    rates: tuple[int, ...]
    cron_runs: tuple[int, ...]  # a day's runs of every cron rule, as minutes of the day

    def _per_month(self, cron_per_day: int) -> float:
        return sum(MINUTES_PER_MONTH / minutes for minutes in self.rates) + cron_per_day * (
            MINUTES_PER_MONTH / MINUTES_PER_DAY
        )

    @property
    def runs_per_month(self) -> float:
        """Every rule's runs, for the functions' time."""
        return self._per_month(len(self.cron_runs))

    @property
    def wakes_per_month(self) -> float:
        """How often a paused database is woken: once per rate run (rates keep no phase with each other),
        and once per distinct minute cron rules fire at."""
        return self._per_month(len(set(self.cron_runs)))


def _cron_minutes(minute: str, hour: str) -> list[int]:
    if hour == "*":
        hours = range(24)
    elif hour.startswith("0/"):
        hours = range(0, 24, int(hour[2:]))
    else:
        hours = range(int(hour), int(hour) + 1)
    return [h * 60 + int(minute) for h in hours]


def schedules_of(template: Mapping[str, Any]) -> Schedules:
    """Every scheduled rule of the template; a schedule expression the estimate cannot read is refused."""
    rates: list[int] = []
    cron_runs: list[int] = []
    for rule in _of_type(template, "AWS::Events::Rule"):
        expression = rule.get("ScheduleExpression")
        if expression is None:
            continue
        if rate := _RATE.fullmatch(str(expression)):
            rates.append(int(rate.group(1)) * _MINUTES[rate.group(2)])
        elif cron := _CRON.fullmatch(str(expression)):
            cron_runs += _cron_minutes(cron.group(1), cron.group(2))
        else:
            raise ValueError(f"the estimate cannot read the schedule {expression!r}")
    return Schedules(tuple(rates), tuple(cron_runs))


def _monthly_per_resource(template: Mapping[str, Any], price: Mapping[str, float]) -> list[Item]:
    """Keys, secrets, dashboards and alarms: a monthly price each."""
    items = []
    for resource_type, name, key in (
        ("AWS::KMS::Key", "kms keys", "kms_key_month"),
        ("AWS::SecretsManager::Secret", "secrets", "secret_month"),
        ("AWS::CloudWatch::Dashboard", "dashboards", "dashboard_month"),
    ):
        if count := len(_of_type(template, resource_type)):
            items.append(Item(f"{name} ({count})", count * price[key]))
    if alarms := _of_type(template, "AWS::CloudWatch::Alarm"):
        # CloudWatch prices an alarm per metric it reads: a metric-math alarm costs one per metric in it
        metrics = sum(sum("MetricStat" in query for query in alarm.get("Metrics", [])) or 1 for alarm in alarms)
        items.append(Item(f"alarm metrics ({len(alarms)} alarms)", metrics * price["alarm_month"]))
    return items


def estimate(template: Mapping[str, Any], prices: Mapping[str, Any]) -> list[Item]:
    """The fixed monthly items and the per-1000-jobs items of one template."""
    missing = unpriced_types(template, prices)
    if missing:
        raise ValueError(f"no price or reason in {PRICE_TABLE.name} for {sorted(missing)}")
    price = {name: entry["usd"] for name, entry in prices["prices"].items()}
    assume = prices["assumptions"]
    job = assume["per_job"]
    hours = prices["hours_per_month"]
    items: list[Item] = []
    schedules = schedules_of(template)
    paused = False

    for cluster in _of_type(template, "AWS::RDS::DBCluster"):
        scaling = cluster.get("ServerlessV2ScalingConfiguration", {})
        minimum = float(scaling.get("MinCapacity", 0.5))
        if minimum == 0:
            paused = True
            # awake at 0.5 ACU for a while after each wake by a schedule, paused the rest of the time
            awake_hours = min(hours, schedules.wakes_per_month * assume["aurora_awake_minutes_per_wake"] / 60)
            acu_hours = 0.5 * awake_hours
        else:
            acu_hours = minimum * hours
        items.append(
            Item(
                f"aurora capacity ({cluster.get('DBClusterIdentifier', 'cluster')})",
                acu_hours * price["aurora_serverless_v2_acu_hour"],
            )
        )
        items.append(Item("aurora storage", assume["aurora_storage_gb"] * price["aurora_storage_gb_month"]))
    if nat := _of_type(template, "AWS::EC2::NatGateway"):
        items.append(Item("nat gateway", len(nat) * hours * price["nat_gateway_hour"]))
    if addresses := _of_type(template, "AWS::EC2::EIP"):
        items.append(Item("public ipv4 (nat gateway)", len(addresses) * hours * price["public_ipv4_hour"]))
    if instances := _of_type(template, "AWS::EC2::Instance"):
        items.append(Item("nat instance t4g.nano", len(instances) * hours * price["ec2_t4g_nano_hour"]))
        items.append(
            Item("nat instance volume", len(instances) * assume["nat_instance_volume_gb"] * price["ebs_gp3_gb_month"])
        )
        items.append(Item("public ipv4 (nat instance)", len(instances) * hours * price["public_ipv4_hour"]))
    items += _monthly_per_resource(template, price)
    items.append(Item("log ingestion (idle estimate)", assume["idle_log_gb_per_month"] * price["log_ingestion_gb"]))
    runs = schedules.runs_per_month
    items.append(
        Item(
            "scheduled functions",
            runs * assume["scheduled_run_seconds"] * assume["scheduled_memory_gb"] * price["lambda_gb_second_arm"]
            + runs / 1e6 * price["lambda_million_requests"],
        )
    )

    per_1000 = 1000
    lambda_seconds = (
        job["api_requests"] * job["api_request_seconds"] * job["api_memory_gb"]
        + job["background_invocations"] * job["background_seconds"] * job["background_memory_gb"]
    )
    invocations = job["api_requests"] + job["background_invocations"]
    job_items = [
        Item(
            "api requests", usd_per_1000_jobs=per_1000 * job["api_requests"] / 1e6 * price["http_api_million_requests"]
        ),
        Item(
            "function time and requests",
            usd_per_1000_jobs=per_1000
            * (lambda_seconds * price["lambda_gb_second_arm"] + invocations / 1e6 * price["lambda_million_requests"]),
        ),
        Item("events", usd_per_1000_jobs=per_1000 * job["events"] / 1e6 * price["eventbridge_million_events"]),
        Item("emails", usd_per_1000_jobs=per_1000 * job["emails"] / 1000 * price["ses_thousand_emails"]),
        Item(
            "file storage (GB-days)",
            usd_per_1000_jobs=per_1000 * job["storage_gb_days"] * price["s3_standard_gb_month"] * 12 / 365,
        ),
        Item("data out to imputation services", usd_per_1000_jobs=per_1000 * job["data_out_gb"] * price["data_out_gb"]),
        Item("log ingestion (jobs)", usd_per_1000_jobs=per_1000 * job["log_gb"] * price["log_ingestion_gb"]),
        Item(
            "database i/o", usd_per_1000_jobs=per_1000 * job["database_io_requests"] / 1e6 * price["aurora_io_million"]
        ),
    ]
    if nat:
        job_items.append(
            Item(
                "nat gateway processing", usd_per_1000_jobs=per_1000 * job["nat_processed_gb"] * price["nat_gateway_gb"]
            )
        )
    if _of_type(template, "AWS::CloudFront::Distribution"):
        # the console's files and every API call pass through CloudFront, besides API Gateway's own charge
        requests = job["api_requests"] + job["console_requests"]
        job_items.append(
            Item(
                "cloudfront (console and api)",
                usd_per_1000_jobs=per_1000
                * (
                    requests / 1e4 * price["cloudfront_https_10k_requests"]
                    + job["console_gb"] * price["cloudfront_data_out_gb"]
                ),
            )
        )
    if paused:
        job_items.append(
            Item(
                "database awake for jobs",
                usd_per_1000_jobs=per_1000
                * 0.5
                * job["database_awake_hours_when_paused"]
                * price["aurora_serverless_v2_acu_hour"],
            )
        )
    return items + job_items


def lines(profile: str, items: Iterable[Item]) -> list[dict[str, Any]]:
    """The JSON lines of one profile: every item, then the total."""
    items = list(items)
    out: list[dict[str, Any]] = []
    for item in items:
        line: dict[str, Any] = {"name": item.name, "profile": profile}
        line["usd_per_month"] = round(item.usd_per_month, 2)
        line["usd_per_1000_jobs"] = round(item.usd_per_1000_jobs, 2)
        out.append(line)
    out.append(
        {
            "name": "total",
            "profile": profile,
            "usd_per_month": round(sum(item.usd_per_month for item in items), 2),
            "usd_per_1000_jobs": round(sum(item.usd_per_1000_jobs for item in items), 2),
        }
    )
    return out


def table(all_lines: list[dict[str, Any]]) -> str:
    """A readable table of the JSON lines."""
    rows = [f"{'profile':<9} {'item':<42} {'$/month':>9} {'$/1000 jobs':>12}"]
    for line in all_lines:
        rows.append(
            f"{line['profile']:<9} {line['name']:<42} {line['usd_per_month']:>9.2f} {line['usd_per_1000_jobs']:>12.2f}"
        )
    return "\n".join(rows)


def main(argv: list[str]) -> int:
    """`python -m infra.cost small=<template.json> standard=<template.json>`: each the top-level stack's
    template in its cloud assembly."""
    prices = load_prices()
    everything: list[dict[str, Any]] = []
    for argument in argv:
        profile, _, path = argument.partition("=")
        # every resource of the stack and of its nested stacks (a domain's each)
        template = flatten(read_stack(Path(path))).template
        everything.extend(lines(profile, estimate(template, prices)))
    for line in everything:
        sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.write(
        f"\nprices: {prices['region']}, as of {prices['as_of']} ({PRICE_TABLE.name}); per-job assumptions there too\n"
    )
    sys.stdout.write(table(everything) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
