"""The platform's Aurora PostgreSQL Serverless v2 cluster (one, or one per domain with
`-c cluster_per_domain=true`), a database and two login roles per domain on it, and the step that
makes them on every deploy with the master credentials, before any domain's migrations run."""

from __future__ import annotations

from collections.abc import Callable

import jsii
from aws_cdk import Duration, IStableStringProducer, Lazy, RemovalPolicy, Stack, triggers
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_rds as rds
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from fip_core.declaration import FunctionDeclaration
from fip_core.provisioning import PLAN_VARIABLE, app_role, owner_role
from infra.constants import (
    DATABASE_ADMIN_USER,
    DATABASE_BACKUP_RETENTION,
    DATABASE_CA_CERTIFICATE,
    DATABASE_ENGINE_VERSION,
    DATABASE_LOG_EXPORTS,
    DATABASE_PORT,
    LOG_RETENTION,
    NAME_PREFIX,
    SECRET_ROTATION_INTERVAL,
)
from infra.network import Network
from infra.profiles import DeploymentProfile

PROVISIONING_FUNCTION = FunctionDeclaration(
    name="database-provisioning",
    handler="index.handler",
    description="Makes each domain's database and login roles with the cluster's master credentials, on deploy",
    timeout_seconds=300,
)
# The handler lives in the core layer; the function's own code only names it.
PROVISIONING_CODE = "from fip_core.provisioning import handler  # noqa: F401\n"


class DatabaseCluster(Construct):
    """An encrypted, writer-only Aurora PostgreSQL cluster in the isolated subnets, its master
    credentials generated into Secrets Manager, rotated, and readable by the provisioning step alone."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        identifier: str,
        network: Network,
        profile: DeploymentProfile,
        admin_security_group: ec2.ISecurityGroup,
    ) -> None:
        super().__init__(scope, construct_id)
        self.key = kms.Key(
            self, "Key", description=f"Encrypts the {identifier} cluster and its credentials", enable_key_rotation=True
        )
        self.security_group = ec2.SecurityGroup(
            self,
            "SecurityGroup",
            vpc=network.vpc,
            description=f"The {identifier} cluster: PostgreSQL from its domain functions and the provisioning step",
            allow_all_outbound=False,
        )
        # Made here rather than by RDS on first export, so that it has a retention period.
        exported_logs = [
            logs.LogGroup(
                self,
                f"{log_type.capitalize()}Logs",
                log_group_name=f"/aws/rds/cluster/{identifier}/{log_type}",
                retention=LOG_RETENTION,
            )
            for log_type in DATABASE_LOG_EXPORTS
        ]
        self.master_credentials = rds.DatabaseSecret(
            self, "Credentials", username=DATABASE_ADMIN_USER, encryption_key=self.key
        )
        self.cluster = rds.DatabaseCluster(
            self,
            "Cluster",
            engine=rds.DatabaseClusterEngine.aurora_postgres(version=DATABASE_ENGINE_VERSION),
            cluster_identifier=identifier,
            writer=rds.ClusterInstance.serverless_v2(
                "Writer", publicly_accessible=False, ca_certificate=DATABASE_CA_CERTIFICATE
            ),
            serverless_v2_min_capacity=profile.database_min_capacity,
            serverless_v2_max_capacity=profile.database_max_capacity,
            serverless_v2_auto_pause_duration=profile.database_auto_pause,
            credentials=rds.Credentials.from_secret(self.master_credentials),
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
        secret = self.cluster.secret
        if secret is None:  # a cluster given its credentials' secret attaches it; this narrows the type
            raise RuntimeError(f"the {identifier} cluster has no attached secret")
        self.master_secret: secretsmanager.ISecret = secret
        self.admit(admin_security_group, "PostgreSQL from the provisioning step and the master secret's rotation")
        self.master_secret.add_rotation_schedule(
            "Rotation",
            automatically_after=SECRET_ROTATION_INTERVAL,
            hosted_rotation=secretsmanager.HostedRotation.postgre_sql_single_user(
                vpc=network.vpc, vpc_subnets=network.function_subnets, security_groups=[admin_security_group]
            ),
            rotate_immediately_on_update=False,  # not at deploy time, when the provisioning step reads it
        )

    def admit(self, clients: ec2.ISecurityGroup, description: str) -> None:
        """Let a security group's members reach PostgreSQL on this cluster (the roles decide the rest)."""
        self.cluster.connections.allow_from(clients, ec2.Port.tcp(DATABASE_PORT), description)


class DomainDatabase(Construct):
    """A domain's database on a cluster: the security group of its clients (the domain's functions), the
    owner's credentials (its migrations function alone reads them) and the app role's (every other
    function), both generated, encrypted and rotated."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        domain: str,
        cluster: DatabaseCluster,
        network: Network,
        reaches_internet: bool,
    ) -> None:
        super().__init__(scope, construct_id)
        self.domain = domain
        self.cluster = cluster
        # Functions that call external services need any port anywhere; the others only HTTPS to AWS APIs.
        self.client_security_group = ec2.SecurityGroup(
            self,
            "FunctionSecurityGroup",
            vpc=network.vpc,
            description=f"The {domain} functions, the only clients of the {domain} database",
            allow_all_outbound=reaches_internet,
        )
        if not reaches_internet:
            self.client_security_group.add_egress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "HTTPS to AWS APIs")
        cluster.admit(self.client_security_group, f"PostgreSQL from the {domain} functions")
        self.owner_secret = self._login(domain, "Owner", owner_role(domain), network, self.client_security_group)
        self.app_secret = self._login(domain, "App", app_role(domain), network, self.client_security_group)

    def _login(
        self, domain: str, kind: str, username: str, network: Network, client_security_group: ec2.ISecurityGroup
    ) -> secretsmanager.ISecret:
        # the secret carries `dbname` too, so that a function finds its database from the secret alone
        credentials = rds.DatabaseSecret(
            self, f"{kind}Credentials", username=username, dbname=domain, encryption_key=self.cluster.key
        )
        # attached, it holds the cluster's host and port as well
        secret = credentials.attach(self.cluster.cluster)
        # A role changes its own password: the rotation runs with the domain's function security group,
        # which the cluster admits, in the subnets with a route to the Secrets Manager API.
        secret.add_rotation_schedule(
            f"{kind}Rotation",
            automatically_after=SECRET_ROTATION_INTERVAL,
            hosted_rotation=secretsmanager.HostedRotation.postgre_sql_single_user(
                vpc=network.vpc, vpc_subnets=network.function_subnets, security_groups=[client_security_group]
            ),
            rotate_immediately_on_update=False,
        )
        return secret

    def grant_owner(self, grantee: iam.IGrantable) -> None:
        """Let a function (the migrations function) read the owner's credentials."""
        self._grant_read(self.owner_secret, grantee)

    def grant_app(self, grantee: iam.IGrantable) -> None:
        """Let a function read the app role's credentials, decrypting them through Secrets Manager."""
        self._grant_read(self.app_secret, grantee)

    def _grant_read(self, secret: secretsmanager.ISecret, grantee: iam.IGrantable) -> None:
        # What `secret.grant_read` grants, all in the reader's own policy: that would name the reader in the
        # key's policy too, and the readers are the domain's, in its nested stack, which waits for this stack's
        # provisioning step, which waits for the key: a cycle. The key's policy lets the account's IAM policies
        # grant its use, so the reader's policy alone suffices.
        iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
            resource_arns=[secret.secret_arn],
        )
        iam.Grant.add_to_principal(
            grantee=grantee,
            actions=["kms:Decrypt"],
            resource_arns=[self.cluster.key.key_arn],
            conditions={"StringEquals": {"kms:ViaService": f"secretsmanager.{Stack.of(self).region}.amazonaws.com"}},
        )


@jsii.implements(IStableStringProducer)
class _Produced:
    """A value made at synthesis, once every domain has been added."""

    def __init__(self, produce: Callable[[], str]) -> None:
        self._produce = produce

    def produce(self) -> str:
        """The value."""
        return self._produce()


FunctionFactory = Callable[[Construct, FunctionDeclaration, lambda_.Code, ec2.ISecurityGroup], lambda_.Function]


class PlatformDatabases(Construct):
    """Every cluster of the platform, each domain's database on one, and the provisioning step."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        environment: str,
        network: Network,
        profile: DeploymentProfile,
        cluster_per_domain: bool,
        make_function: FunctionFactory,
    ) -> None:
        super().__init__(scope, construct_id)
        self._environment = environment
        self._network = network
        self._profile = profile
        self.cluster_per_domain = cluster_per_domain
        self.admin_security_group = ec2.SecurityGroup(
            self,
            "AdminSecurityGroup",
            vpc=network.vpc,
            description="The provisioning step and the master secret rotation, the only users of master credentials",
            allow_all_outbound=False,
        )
        self.admin_security_group.add_egress_rule(ec2.Peer.any_ipv4(), ec2.Port.tcp(443), "HTTPS to AWS APIs")
        self.clusters: dict[str, DatabaseCluster] = {}
        if not cluster_per_domain:
            self._add_cluster("Shared", f"{NAME_PREFIX}-{environment}")
        self.domains: dict[str, DomainDatabase] = {}
        self._connection_limits: dict[str, int] = {}

        self.provisioning_function = make_function(
            self, PROVISIONING_FUNCTION, lambda_.Code.from_inline(PROVISIONING_CODE), self.admin_security_group
        )
        self.provisioning_function.add_environment(
            PLAN_VARIABLE, Lazy.string(_Produced(lambda: Stack.of(self).to_json_string(self._resolved_plan())))
        )
        self.provisioned = triggers.Trigger(
            self,
            "ProvisioningTrigger",
            handler=self.provisioning_function,
            execute_on_handler_change=True,
            invocation_type=triggers.InvocationType.REQUEST_RESPONSE,
            timeout=Duration.seconds(PROVISIONING_FUNCTION.timeout_seconds),
        )

    def _add_cluster(self, construct_id: str, identifier: str) -> DatabaseCluster:
        cluster = DatabaseCluster(
            self,
            construct_id,
            identifier=identifier,
            network=self._network,
            profile=self._profile,
            admin_security_group=self.admin_security_group,
        )
        self.clusters[identifier] = cluster
        return cluster

    def add_domain(self, domain: str, *, reaches_internet: bool, app_connection_limit: int) -> DomainDatabase:
        """A domain's database, on the shared cluster or a cluster of its own, with the security group of its
        functions (admitted to that cluster, with any port out if they reach the internet), added to the
        provisioning step. Made here, in the platform's stack, and not in the domain's: the provisioning step
        reads every domain's secrets before any domain's migrations run, so the domain's stack refers to these
        and nothing here refers to the domain's stack."""
        if self.cluster_per_domain:
            cluster = self._add_cluster(f"{domain.capitalize()}Cluster", f"{NAME_PREFIX}-{self._environment}-{domain}")
        else:
            cluster = next(iter(self.clusters.values()))
        database = DomainDatabase(
            self,
            f"{domain.capitalize()}Database",
            domain=domain,
            cluster=cluster,
            network=self._network,
            reaches_internet=reaches_internet,
        )
        self.domains[domain] = database
        self._connection_limits[domain] = app_connection_limit
        for secret in (cluster.master_secret, database.owner_secret, database.app_secret):
            secret.grant_read(self.provisioning_function)
        # the clusters, their writers and the secrets' attachments (which add the host) exist first
        self.provisioned.execute_after(cluster, database)
        return database

    def _resolved_plan(self) -> list[dict[str, object]]:
        return [
            {
                "master_secret_arn": database.cluster.master_secret.secret_arn,
                "owner_secret_arn": database.owner_secret.secret_arn,
                "app_secret_arn": database.app_secret.secret_arn,
                "app_connection_limit": self._connection_limits[domain],
            }
            for domain, database in self.domains.items()
        ]
