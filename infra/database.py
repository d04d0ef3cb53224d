"""One domain's own Aurora PostgreSQL Serverless v2 cluster, reachable only from its functions."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.constants import (
    DATABASE_ADMIN_USER,
    DATABASE_BACKUP_RETENTION,
    DATABASE_ENGINE_VERSION,
    DATABASE_LOG_EXPORTS,
    DATABASE_MAX_CAPACITY,
    DATABASE_MIN_CAPACITY,
    DATABASE_PORT,
    LOG_RETENTION,
    NAME_PREFIX,
    SECRET_ROTATION_INTERVAL,
)
from infra.network import Network


class DomainDatabase(Construct):
    """An encrypted, writer-only Aurora PostgreSQL cluster in the isolated subnets, its database named
    after the domain, its credentials generated into Secrets Manager and rotated."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        domain: str,
        environment: str,
        network: Network,
        client_security_group: ec2.ISecurityGroup,
    ) -> None:
        super().__init__(scope, construct_id)
        self.key = kms.Key(
            self,
            "Key",
            description=f"Encrypts the {domain} database and its credentials",
            enable_key_rotation=True,
        )
        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=network.vpc,
            description=f"The {domain} database: PostgreSQL from the {domain} functions only",
            allow_all_outbound=False,
        )
        cluster_identifier = f"{NAME_PREFIX}-{environment}-{domain}"
        # Made here rather than by RDS on first export, so that it has a retention period.
        exported_logs = [
            logs.LogGroup(
                self,
                f"{log_type.capitalize()}Logs",
                log_group_name=f"/aws/rds/cluster/{cluster_identifier}/{log_type}",
                retention=LOG_RETENTION,
            )
            for log_type in DATABASE_LOG_EXPORTS
        ]
        # the secret carries `dbname` too, so that a function finds its database from the secret alone
        self.credentials = rds.DatabaseSecret(
            self, "Credentials", username=DATABASE_ADMIN_USER, dbname=domain, encryption_key=self.key
        )
        self.cluster = rds.DatabaseCluster(
            self,
            "Cluster",
            engine=rds.DatabaseClusterEngine.aurora_postgres(version=DATABASE_ENGINE_VERSION),
            cluster_identifier=cluster_identifier,
            writer=rds.ClusterInstance.serverless_v2("Writer", publicly_accessible=False),
            serverless_v2_min_capacity=DATABASE_MIN_CAPACITY,
            serverless_v2_max_capacity=DATABASE_MAX_CAPACITY,
            default_database_name=domain,
            credentials=rds.Credentials.from_secret(self.credentials),
            storage_encrypted=True,
            storage_encryption_key=self.key,
            vpc=network.vpc,
            vpc_subnets=network.database_subnets,
            security_groups=[self.security_group],
            port=DATABASE_PORT,
            iam_authentication=True,
            cloudwatch_logs_exports=list(DATABASE_LOG_EXPORTS),
            backup=rds.BackupProps(retention=DATABASE_BACKUP_RETENTION),
            deletion_protection=True,
            removal_policy=RemovalPolicy.SNAPSHOT,
        )
        cluster_resource = self.cluster.node.default_child
        if cluster_resource is not None:  # always the DBCluster; this narrows the type
            cluster_resource.node.add_dependency(*exported_logs)
        self.cluster.connections.allow_from(
            client_security_group, ec2.Port.tcp(DATABASE_PORT), f"PostgreSQL from the {domain} functions"
        )

        secret = self.cluster.secret
        if secret is None:  # a cluster given its credentials' secret attaches it; this narrows the type
            raise RuntimeError(f"the {domain} cluster has no attached secret")
        self.secret: secretsmanager.ISecret = secret
        # The rotation function runs with the domain's function security group, the only one the
        # database admits, in the subnets with a route to the Secrets Manager API.
        self.secret.add_rotation_schedule(
            "Rotation",
            automatically_after=SECRET_ROTATION_INTERVAL,
            hosted_rotation=secretsmanager.HostedRotation.postgre_sql_single_user(
                vpc=network.vpc,
                vpc_subnets=network.function_subnets,
                security_groups=[client_security_group],
            ),
            # not at deploy time, when the migrations trigger is reading the secret
            rotate_immediately_on_update=False,
        )

    @property
    def secret_arn(self) -> str:
        """The ARN of the credentials' secret once it holds the cluster's host and port too: what the
        domain's functions are told to read."""
        return self.secret.secret_arn

    def grant_connect(self, grantee: iam.IGrantable) -> None:
        """Let a function read the credentials, decrypting them with the database's key through Secrets Manager."""
        self.credentials.grant_read(grantee)
