"""check-reference works on any folder laid out like shared/spc-reference, larger ones too."""

from pathlib import Path

import pandas as pd
import pytest

from qinet.refcheck import ptd, qic, read_reference

pytestmark = pytest.mark.unit

REFERENCE = Path(__file__).resolve().parent / "reference"
PER_SERIES = ["series_catalog.csv", "series_inputs.csv", "subgroup_observations.csv",
              "qic_variants.csv", "qic_points.csv", "qic_series.csv", "ptd_points.csv",
              "ptd_series.csv"]


@pytest.fixture(scope="module")
def larger_folder(tmp_path_factory) -> Path:
    """The reference folder with every series present twice (a copy under a new id), as plain
    CSV (not gzipped), so the checker must be driven by the files rather than by names."""
    out = tmp_path_factory.mktemp("bigger-reference")
    for name in PER_SERIES:
        df = read_reference(REFERENCE, name)
        copy = df.assign(series_id=df["series_id"].astype(str) + "_copy")
        pd.concat([df, copy]).to_csv(out / name, index=False, na_rep="NA")
    for name in ("ptd_configs.csv", "timings.csv"):
        read_reference(REFERENCE, name).to_csv(out / name, index=False, na_rep="NA")
    return out


def _totals(results):
    return sum(r.agree for r in results), sum(r.total for r in results)


@pytest.mark.parametrize("module", [qic, ptd], ids=["qicharts2", "NHSRplotthedots"])
def test_larger_folder_checks_every_series_and_agrees(module, larger_folder):
    base_agree, base_total = _totals(module.check(REFERENCE))
    agree, total = _totals(module.check(larger_folder))
    assert base_agree == base_total
    assert agree == total
    assert total == 2 * base_total


def test_a_wrong_reference_value_is_counted_as_disagreement(tmp_path):
    for name in PER_SERIES + ["ptd_configs.csv"]:
        read_reference(REFERENCE, name).to_csv(tmp_path / name, index=False, na_rep="NA")
    points = pd.read_csv(tmp_path / "ptd_points.csv", keep_default_na=True, na_values=["NA"])
    points.loc[0, "upl"] = points.loc[0, "upl"] + 1.0
    points.to_csv(tmp_path / "ptd_points.csv", index=False, na_rep="NA")
    agree, total = _totals(ptd.check(tmp_path))
    assert agree == total - 1


def test_qicharts2_check_goes_through_the_pages_run_chart_function(monkeypatch):
    """A fault planted in compute_run_chart (crossings `<` read as `<=`) must show up."""
    from qinet.stats import runchart

    calls = []
    real = runchart.compute_run_chart

    def spy(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(qic, "compute_run_chart", spy)
    agree, total = _totals(qic.check(REFERENCE))
    assert agree == total and len(calls) > 100
    real_min = runchart.crossings_min_array
    monkeypatch.setattr(
        runchart, "crossings_min_array", lambda n, q: real_min(n, q) + 1  # `<` becomes `<=`
    )
    agree, total = _totals(qic.check(REFERENCE))
    assert agree < total


def test_qicharts2_check_has_no_side_path():
    source = Path(qic.__file__).read_text(encoding="utf-8")
    assert "anhoej_statistics" not in source and "compute_run_chart(" in source
