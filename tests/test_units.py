import pytest

from carbon import units
from carbon.errors import UnitError


def test_chinese_statistical_multiples():
    assert units.factor("10^4 t", "t") == 1e4
    assert units.factor("10^8 m3", "10^4 m3") == pytest.approx(1e4)
    assert units.factor("10^4 kWh", "MWh") == pytest.approx(10.0)
    assert units.factor("万吨标准煤", "tce") == pytest.approx(1e4)
    assert units.factor("亩", "ha") == pytest.approx(1 / 15)


def test_energy_units_by_hand():
    # 1 tce = 29.3076 GJ (GB/T 2589); 1 kWh = 3.6 MJ, so 1 kWh = 3.6 / 29.3076 = 0.122835 kgce
    assert units.factor("tce", "GJ") == pytest.approx(29.3076)
    assert units.factor("kWh", "kgce") == pytest.approx(3.6 / 29.3076)
    assert units.factor("10^4 tce", "TJ") == pytest.approx(293.076)
    assert units.factor("TJ/Gg", "GJ/t") == pytest.approx(1.0)
    assert units.factor("kg/TJ", "t/GJ") == pytest.approx(1e-6)


def test_wrong_kind_and_unknown_unit():
    with pytest.raises(UnitError, match="cannot convert t to m3"):
        units.factor("t", "m3")
    with pytest.raises(UnitError, match="unknown unit 'tonnez'"):
        units.parse("tonnez")
    with pytest.raises(UnitError, match="missing unit"):
        units.parse("")
