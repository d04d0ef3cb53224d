"""The platform's VPC: public subnets for the NAT gateway, private subnets with a route out for the
functions, and isolated subnets for the databases."""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.constants import (
    ISOLATED_SUBNET_MASK,
    LOG_RETENTION,
    PRIVATE_SUBNET_MASK,
    PUBLIC_SUBNET_MASK,
    VPC_MAX_AZS,
    VPC_NAT_GATEWAYS,
)


class Network(Construct):
    """The VPC every domain's functions and database live in, with its flow logs."""

    def __init__(self, scope: Construct, construct_id: str) -> None:
        super().__init__(scope, construct_id)
        self.flow_logs = logs.LogGroup(self, "FlowLogs", retention=LOG_RETENTION)
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            max_azs=VPC_MAX_AZS,
            nat_gateways=VPC_NAT_GATEWAYS,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=PUBLIC_SUBNET_MASK),
                ec2.SubnetConfiguration(
                    name="functions", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=PRIVATE_SUBNET_MASK
                ),
                ec2.SubnetConfiguration(
                    name="databases", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=ISOLATED_SUBNET_MASK
                ),
            ],
            # nothing may rely on the default security group's allow-all rules
            restrict_default_security_group=True,
            flow_logs={
                "all-traffic": ec2.FlowLogOptions(
                    destination=ec2.FlowLogDestination.to_cloud_watch_logs(self.flow_logs),
                    traffic_type=ec2.FlowLogTrafficType.ALL,
                )
            },
        )

    @property
    def function_subnets(self) -> ec2.SubnetSelection:
        """Where the functions run: private, with a route to the internet through the NAT gateway."""
        return ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)

    @property
    def database_subnets(self) -> ec2.SubnetSelection:
        """Where the databases run: no route in or out of the VPC."""
        return ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
