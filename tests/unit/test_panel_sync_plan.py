"""Panel sync without the network: reading a Cloudgene app list, and planning the registry's changes."""

import uuid
from dataclasses import replace
from datetime import UTC, datetime

from registry.domain import PanelRecord
from registry.logic.panel_sync import plan
from registry.models.common import GenomeBuild
from registry.models.panels import PanelCreate
from registry.probes.catalogue import cloudgene_catalogue
from tests.support.cloudgene import application, reference_panel_app

NOW = datetime(2026, 12, 2, tzinfo=UTC)
SERVICE = str(uuid.uuid4())
KGP = reference_panel_app(
    "1000g-phase-3-v5", "1000G Phase 3 v5", "hg19",
    [("afr", "AFR", 661), ("amr", "AMR", 347), ("eas", "EAS", 504), ("eur", "EUR", 503), ("sas", "SAS", 489),
     ("mixed", "Other/Mixed", -1)],
)  # fmt: skip
H3A = reference_panel_app("h3africa-v6hc-s@1.0.0", "H3Africa v6", "hg38", [("afr", "AFR", 4447), ("off", "Off", -1)])


def registered(slug: str, **changes: object) -> PanelRecord:
    record = PanelRecord(
        id=str(uuid.uuid4()), service_id=SERVICE, slug=slug, display_name="1000G Phase 3 v5", build=GenomeBuild.HG19,
        populations=["afr", "amr", "eas", "eur", "sas", "mixed"], sample_count=2504, is_available=True,
        description="", created_at=NOW, updated_at=NOW,
    )  # fmt: skip
    return replace(record, **changes)  # type: ignore[arg-type]


def test_the_panels_of_a_cloudgene_app_list_are_its_refpanel_apps():
    imputation = application("imputationserver2", "Genotype Imputation", "2.0.12", workflow=True)
    other = application("pgs-catalog", "PGS Catalog", "1.0", category="PGSPanel", source="properties: {build: hg19}")
    catalogue = cloudgene_catalogue([imputation, KGP, other, H3A])
    assert [(p.slug, p.build, p.sample_count) for p in catalogue.panels] == [
        ("apps@1000g-phase-3-v5", GenomeBuild.HG19, 2504),  # mixed (-1) is not a group of the panel's samples
        ("apps@h3africa-v6hc-s@1.0.0", GenomeBuild.HG38, 4447),
    ]
    assert catalogue.panels[0].populations == ["afr", "amr", "eas", "eur", "sas", "mixed"]
    assert catalogue.panels[0].display_name == "1000G Phase 3 v5"
    assert catalogue.skipped == []


def test_a_disabled_or_unloaded_panel_app_is_unavailable():
    disabled = {**KGP, "enabled": False}
    unloaded = {**H3A, "loaded": False}
    assert [p.is_available for p in cloudgene_catalogue([disabled, unloaded]).panels] == [False, False]


def test_panel_apps_the_registry_cannot_read_are_skipped_with_the_reason():
    no_build = {**KGP, "id": "no-build", "source": KGP["source"].replace("  build: hg19\n", "")}
    hg18 = {**KGP, "id": "old", "source": KGP["source"].replace("build: hg19", "build: hg18")}
    not_yaml = {**KGP, "id": "broken", "source": "properties: [unclosed"}
    no_source = {**KGP, "id": "empty", "source": ""}
    bad_id = {**KGP, "id": "../etc"}
    bad_population = {**KGP, "id": "spaces", "source": KGP["source"].replace('id: "afr"', 'id: "a f r"')}
    catalogue = cloudgene_catalogue([no_build, hg18, not_yaml, no_source, bad_id, bad_population, "junk", None])
    assert catalogue.panels == []
    assert catalogue.skipped == [
        ("no-build", "its cloudgene.yaml names no build hg19 or hg38"),
        ("old", "its cloudgene.yaml names no build hg19 or hg38"),
        ("broken", "its cloudgene.yaml is not YAML"),
        ("empty", "the server sent no cloudgene.yaml for it"),
        ("../etc", "its id is not a panel name"),
        ("spaces", "unusable populations"),
    ]


def test_older_panels_list_populations_as_a_map():
    source = "category: RefPanel\nproperties:\n  build: hg19\n  populations:\n    eur: EUR\n    afr: AFR\n"
    app = application("hrc-r1.1", "HRC r1.1", "1.0", category="refpanel", source=source)
    [panel] = cloudgene_catalogue([app]).panels
    assert (panel.slug, panel.populations, panel.sample_count) == ("apps@hrc-r1.1", ["eur", "afr"], None)


def offered(slug: str, **fields: object) -> PanelCreate:
    values = {"slug": slug, "display_name": "1000G Phase 3 v5", "build": "hg19",
              "populations": ["afr", "amr", "eas", "eur", "sas", "mixed"], "sample_count": 2504}  # fmt: skip
    return PanelCreate.model_validate({**values, **fields})


def test_a_plan_adds_updates_and_withdraws_and_leaves_the_rest():
    same = registered("apps@1000g-phase-3-v5")
    renamed = registered("apps@hrc-r1.1", display_name="HRC", populations=["eur"], sample_count=None)
    gone = registered("apps@hapmap-2")
    already_gone = registered("apps@caapa", is_available=False)
    changes = plan(
        [same, renamed, gone, already_gone],
        [offered("apps@1000g-phase-3-v5"), offered("apps@hrc-r1.1", display_name="HRC r1.1", populations=["eur"],
         sample_count=32470), offered("apps@topmed-r3", build="hg38")],
    )  # fmt: skip
    assert [panel.slug for panel in changes.add] == ["apps@topmed-r3"]
    assert changes.update == {renamed.id: {"display_name": "HRC r1.1", "sample_count": 32470}}
    assert changes.withdraw == [gone.id]
    assert sorted(changes.unchanged) == ["apps@1000g-phase-3-v5", "apps@caapa"]


def test_a_panel_registered_under_cloudgenes_other_name_is_the_same_panel():
    plain = registered("1000g-phase-3-v5", is_available=False)
    changes = plan([plain], [offered("apps@1000g-phase-3-v5")])
    assert changes.add == []
    assert changes.update == {plain.id: {"is_available": True}}
    assert changes.withdraw == []


def test_the_exact_name_wins_over_the_other_form_and_a_count_the_server_lacks_is_kept():
    plain, prefixed = registered("1000g-phase-3-v5"), registered("apps@1000g-phase-3-v5", sample_count=99)
    changes = plan([plain, prefixed], [offered("apps@1000g-phase-3-v5", sample_count=None)])
    assert changes.update == {}  # an admin's count stays where the server does not count
    assert changes.unchanged == ["apps@1000g-phase-3-v5"]
    assert changes.withdraw == [plain.id]


def test_a_build_the_server_changed_is_updated():
    old = registered("apps@1000g-phase-3-v5")
    assert plan([old], [offered("apps@1000g-phase-3-v5", build="hg38")]).update == {old.id: {"build": "hg38"}}
