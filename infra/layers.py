"""The two layers every function carries: the shared `fip_core` package and the third-party packages."""

from __future__ import annotations

from aws_cdk import AssetHashType
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.bundling import PlatformAssets
from infra.constants import LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME


class SharedLayers(Construct):
    """The core layer and the dependency layer, built for the pinned runtime and architecture."""

    def __init__(self, scope: Construct, construct_id: str, *, assets: PlatformAssets) -> None:
        super().__init__(scope, construct_id)
        self.core = lambda_.LayerVersion(
            self,
            "Core",
            code=lambda_.Code.from_asset(str(assets.core_layer)),
            compatible_runtimes=[LAMBDA_RUNTIME],
            compatible_architectures=[LAMBDA_ARCHITECTURE],
            description="fip_core: configuration, database, events and HTTP code shared by the domains",
        )
        self.dependencies = lambda_.LayerVersion(
            self,
            "Dependencies",
            # hashed by what it is built from, so that thousands of installed files need not be read on every synth
            code=lambda_.Code.from_asset(
                str(assets.dependency_layer.directory),
                asset_hash=assets.dependency_layer.fingerprint,
                asset_hash_type=AssetHashType.CUSTOM,
            ),
            compatible_runtimes=[LAMBDA_RUNTIME],
            compatible_architectures=[LAMBDA_ARCHITECTURE],
            description="Third-party packages of layers/deps/requirements.lock",
        )

    @property
    def all(self) -> list[lambda_.ILayerVersion]:
        """Both layers, in the order functions list them."""
        return [self.core, self.dependencies]
