"""The platform's VPC: public subnets for the way out (a NAT gateway, or in the small profile a NAT
instance), private subnets with a route out for the functions, and isolated subnets for the
databases, which have no route to or from the internet."""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.compliance import acknowledge
from infra.constants import (
    ISOLATED_SUBNET_MASK,
    LOG_RETENTION,
    NAT_INSTANCE_TYPE,
    NAT_INSTANCE_VOLUME_GB,
    PRIVATE_SUBNET_MASK,
    PUBLIC_SUBNET_MASK,
    VPC_CIDR,
    VPC_MAX_AZS,
    VPC_NAT_GATEWAYS,
)
from infra.profiles import NatKind


class Network(Construct):
    """The VPC every domain's functions and database live in, with its flow logs."""

    def __init__(self, scope: Construct, construct_id: str, *, nat: NatKind = NatKind.GATEWAY) -> None:
        super().__init__(scope, construct_id)
        self.flow_logs = logs.LogGroup(self, "FlowLogs", retention=LOG_RETENTION)
        self.nat_instances: ec2.NatInstanceProviderV2 | None = None
        if nat is NatKind.INSTANCE:
            self.nat_instances = ec2.NatProvider.instance_v2(
                instance_type=ec2.InstanceType(NAT_INSTANCE_TYPE),
                machine_image=ec2.MachineImage.latest_amazon_linux2023(cpu_type=ec2.AmazonLinuxCpuType.ARM_64),
                # forwards what the private subnets send out; nothing from outside may open a connection
                default_allowed_traffic=ec2.NatTrafficDirection.OUTBOUND_ONLY,
            )
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr(VPC_CIDR),
            max_azs=VPC_MAX_AZS,
            nat_gateways=VPC_NAT_GATEWAYS,
            nat_gateway_provider=self.nat_instances,
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

        if self.nat_instances is not None:
            # outbound only: the instances take what the VPC sends them to forward, and nothing else
            self.nat_instances.connections.allow_from(
                ec2.Peer.ipv4(VPC_CIDR), ec2.Port.all_traffic(), "Traffic from the VPC to forward"
            )
            self._harden_nat_instances(self.nat_instances)

    def _harden_nat_instances(self, _provider: ec2.NatInstanceProviderV2) -> None:
        # the provider puts its instances into the public subnets it serves
        for subnet in self.vpc.public_subnets:
            found = subnet.node.try_find_child("NatInstance")
            resource = found.node.default_child if isinstance(found, ec2.Instance) else None
            if isinstance(resource, ec2.CfnInstance):
                # an encrypted root volume of a fixed size (the provider gives no option for it)
                resource.block_device_mappings = [
                    ec2.CfnInstance.BlockDeviceMappingProperty(
                        device_name="/dev/xvda",
                        ebs=ec2.CfnInstance.EbsProperty(
                            encrypted=True, volume_size=NAT_INSTANCE_VOLUME_GB, volume_type="gp3"
                        ),
                    )
                ]
                resource.monitoring = True
                resource.metadata_options = ec2.CfnInstance.MetadataOptionsProperty(http_tokens="required")
                acknowledge(
                    resource,
                    "EC29",
                    "A NAT instance is replaceable: it holds no data, and the VPC's routes follow a new one on deploy.",
                )

    @property
    def function_subnets(self) -> ec2.SubnetSelection:
        """Where the functions run: private, with a route to the internet through the NAT gateway."""
        return ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)

    @property
    def database_subnets(self) -> ec2.SubnetSelection:
        """Where the databases run: no route in or out of the VPC."""
        return ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)
