from pathlib import Path

import pytest

from qinet.config import SETTINGS, load_settings
from qinet.errors import ConfigError

pytestmark = pytest.mark.unit

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_documented_in_readme_with_its_default(setting):
    assert f"`{setting.name}`" in README
    assert f"`{setting.default}`" in README


def test_defaults():
    s = load_settings({})
    assert s.database_url == "sqlite:///data/qinet.db"
    assert s.small_number_threshold == 11
    assert s.spc_preset == "MDC_2024"
    assert s.create_demo is True


@pytest.mark.parametrize(
    ("env", "name"),
    [
        ({"QINET_DATABASE_URL": "not a url"}, "QINET_DATABASE_URL"),
        ({"QINET_DATABASE_URL": "mysql://x/y"}, "QINET_DATABASE_URL"),
        ({"QINET_SMALL_NUMBER_THRESHOLD": "eleven"}, "QINET_SMALL_NUMBER_THRESHOLD"),
        ({"QINET_SMALL_NUMBER_THRESHOLD": "0"}, "QINET_SMALL_NUMBER_THRESHOLD"),
        ({"QINET_DEMO_SEED": "-1"}, "QINET_DEMO_SEED"),
        ({"QINET_SPC_PRESET": "WESTERN_ELECTRIC"}, "QINET_SPC_PRESET"),
        ({"QINET_CREATE_DEMO": "yes"}, "QINET_CREATE_DEMO"),
    ],
)
def test_bad_values_name_the_setting(env, name):
    with pytest.raises(ConfigError) as err:
        load_settings(env)
    assert str(err.value).startswith(name)
