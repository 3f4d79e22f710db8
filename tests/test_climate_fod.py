"""The model's climate picks the temperature-dependent IPCC 2006 defaults (manure CH4 Table
10.14/10.15, landfill k Table 3.3); stationary CH4/N2O of the yearbook fuels and 3.A.2 N2O in the
generic set; landfill CH4 year by year by first-order decay in the pathway. Hand numbers."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from carbon.errors import InputError
from carbon.inventory import account, load_factor_set, tier1
from carbon.inventory.climate import ClimateSpec, LandfillSpec, climate_rows, decay_rate, manure_ch4_rows
from carbon.model import load_model
from carbon.pathway.landfill import generation, landfill_fod
from carbon.runner import prepare
from carbon.scenario import expand
from carbon.stages.inventory import compute
from carbon.stages.pathway import project

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "lankao"


def _per_head(temperature_c: float) -> dict[str, float]:
    rows = manure_ch4_rows(temperature_c)
    return dict(zip(rows["item"], rows["value"]))


def test_manure_ch4_picks_the_table_cell_of_the_temperature():
    # Table 10.14, Asia: 14.4 C rounds to the 14 C column, 19.6 C to the 20 C column
    at14, at20 = _per_head(14.4), _per_head(19.6)
    assert (at14["dairy_cattle"], at20["dairy_cattle"]) == (12, 18)
    assert (at14["swine"], at20["swine"]) == (2, 4)
    assert (at14["other_cattle"], at20["other_cattle"]) == (1, 1)
    assert (at14["buffalo"], at20["buffalo"]) == (1, 2)
    # Table 10.15, developing countries: cool (< 15 C) and temperate (15-25 C) columns
    assert (at14["sheep"], at20["sheep"]) == (0.10, 0.15)
    assert (at14["goats"], at20["goats"]) == (0.11, 0.17)
    # the ends of Table 10.14: <= 10 C and >= 28 C
    assert _per_head(-5.0)["dairy_cattle"] == 9 and _per_head(33.0)["dairy_cattle"] == 31


def test_the_models_temperature_changes_dairy_manure_ch4_as_the_table_says():
    model = load_model(MODEL)

    def dairy_manure_ch4_t(m) -> float:
        e = compute(m).emissions
        return float(e[(e["category"] == "3.A.2") & (e["item"] == "dairy_cattle") & (e["gas"] == "ch4")]["emissions_t"].sum())

    assert model.climate.temperature_c == 14.4
    assert dairy_manure_ch4_t(model) == pytest.approx(12_000 * 12 / 1000)  # 144 t at the 14 C column
    warmer = replace(model, climate=ClimateSpec(temperature_c=20.0, zone="warm temperate dry"))
    assert dairy_manure_ch4_t(warmer) == pytest.approx(12_000 * 18 / 1000)  # 216 t at the 20 C column
    # without climate: the set's coolest column (9 kg/head) and the steady-state mass balance for landfill
    bare = replace(model, climate=None, landfill=None)
    assert dairy_manure_ch4_t(bare) == pytest.approx(12_000 * 9 / 1000)
    e = compute(bare).emissions
    landfill = e[(e["category"] == "4.A") & (e["gas"] == "ch4")]["emissions_t"].sum()
    assert landfill == pytest.approx(60_000 * 0.138 * 0.5 * 0.5 * 16 / 12, rel=1e-9)  # 2,760 t


def test_landfill_factor_from_the_zone_and_history_and_a_factor_file_still_overrides(tmp_path):
    assert decay_rate("boreal_temperate_dry")[0] == 0.05  # Table 3.3, bulk MSW
    assert ClimateSpec(temperature_c=16, zone="warm temperate moist").table_zone() == "boreal_temperate_wet"
    assert decay_rate("boreal_temperate_wet")[0] == 0.09 and decay_rate("tropical_wet", "food")[0] == 0.40
    with pytest.raises(InputError) as err:
        ClimateSpec(temperature_c=14, zone="temperate dryish").table_zone()
    assert err.value.key == "climate.zone"
    # the county: k 0.05 (warm temperate dry), deposits since 1990 growing 3 %/yr: 0.025863 t CH4/t
    climate = ClimateSpec(temperature_c=14.4, zone="warm temperate dry")
    rows = climate_rows(climate, LandfillSpec(first_year=1990, growth=0.03), 2020, 60_000.0)
    value = rows[rows["item"] == "msw_landfilled"]["value"].iloc[0]
    assert value == pytest.approx(tier1.fod_ch4_per_t(0.05, 0.03, 30), rel=1e-12)
    assert value == pytest.approx(0.025863, abs=1e-6)
    # a landfill history without a climate has no k: an error naming the key
    with pytest.raises(InputError) as err:
        climate_rows(None, LandfillSpec(first_year=1990), 2020, 1.0)
    assert err.value.key == "landfill"
    # a factor file's row wins over the climate's
    user = pd.DataFrame({"factor": ["ch4"], "item": ["dairy_cattle"], "category": ["3.A.2"], "value": [7.0],
                         "unit": ["kg/head"], "source": ["test"]})
    from carbon.inventory.factors import _check_table
    fs = load_factor_set("china", _check_table(user, "user.csv"), "user.csv", climate=rows)
    act = pd.DataFrame({"year": [2020], "sector": ["agriculture"], "category": ["3.A.2"], "item": ["dairy_cattle"],
                        "quantity": [1000.0], "unit": ["head"]})
    e = account(act, fs).emissions.set_index("gas")
    assert e.at["ch4", "emissions_t"] == pytest.approx(7.0)


def test_stationary_ch4_n2o_of_coke_oven_gas_by_hand():
    # 100 x 10^4 m3 of coke-oven gas in households, set ipcc2006: NCV 179.81 GJ/10^4 m3 -> 17.981 TJ;
    # Table 2.5 (residential, coke oven gas): CH4 5 kg/TJ = 89.905 kg, N2O 0.1 kg/TJ = 1.7981 kg
    act = pd.DataFrame({"year": [2020], "sector": ["residential"], "category": ["1.A.4.b"], "item": ["coke_oven_gas"],
                        "quantity": [100.0], "unit": ["10^4 m3"]})
    e = account(act, load_factor_set("ipcc2006")).emissions.set_index("gas")
    assert e.at["ch4", "emissions_t"] == pytest.approx(17.981 * 5 / 1000, rel=1e-12)
    assert e.at["n2o", "emissions_t"] == pytest.approx(17.981 * 0.1 / 1000, rel=1e-12)
    # and in industry (Table 2.3): CH4 1, N2O 0.1 kg/TJ; refinery gas 1 t = 49.5 GJ x (1, 0.1) kg/TJ
    act = act.assign(category="1.A.2", sector="industry", item="refinery_gas", unit="t")
    e = account(act, load_factor_set("ipcc2006")).emissions.set_index("gas")
    assert e.at["ch4", "emissions_t"] == pytest.approx(100 * 49.5e-3 * 1 / 1000, rel=1e-12)


def test_manure_n2o_in_the_generic_set_by_hand():
    # dairy cattle, Asia: Nex 0.47 kg N/(1000 kg)/day (Table 10.19) x 350 kg (Table 10A-4) x 365
    # = 60.0425 kg N; solid storage: EF3 0.005 + Frac_GasMS 0.30 x EF4 0.01 = 0.008 kg N2O-N/kg N;
    # x 44/28 = 0.75482 kg N2O per head
    act = pd.DataFrame({"year": [2020], "sector": ["agriculture"], "category": ["3.A.2"], "item": ["dairy_cattle"],
                        "quantity": [1000.0], "unit": ["head"]})
    e = account(act, load_factor_set("ipcc2006")).emissions.set_index("gas")
    assert e.at["n2o", "emissions_t"] == pytest.approx(1000 * 60.0425 * 0.008 * 44 / 28 / 1000, rel=1e-6)


def test_fod_step_cut_decays_with_the_half_life():
    # steady state at 1,000 t/yr, then nothing from 2022: 2022 still decomposes A(2021)(1 - d) = 1,000;
    # 2023: 1,000 e^-k, 2024: 1,000 e^-2k; k 0.05: 951.23, 904.84 (half-life ln 2 / 0.05 = 13.9 years)
    k = 0.05
    g = generation({2020: 1000.0, 2021: 1000.0}, [2020, 2021, 2022, 2023, 2024], k, steady_before=True)
    assert list(g) == pytest.approx([1000.0, 1000.0, 1000.0, 951.229425, 904.837418], rel=1e-9)
    assert g[2024] / g[2023] == pytest.approx(math.exp(-k))
    assert math.log(2) / k == pytest.approx(13.86, abs=0.01)
    # constant deposition on a steady history stays on the steady path (FOD = mass balance)
    flat = generation({y: 1000.0 for y in range(2020, 2031)}, list(range(2020, 2031)), k, steady_before=True)
    assert flat.to_numpy() == pytest.approx(1000.0, rel=1e-12)


def _landfill_rows(quantities: list[float]) -> pd.DataFrame:
    years = list(range(2020, 2020 + len(quantities)))
    per_t = 0.046
    return pd.DataFrame({"year": years, "sector": "waste", "category": "4.A", "item": "msw_landfilled", "gas": "ch4",
                         "scope": 1, "memo": False, "quantity": quantities, "unit": "10^4 t",
                         "emissions_t": [q * 1e4 * per_t for q in quantities],
                         "co2e_t": [q * 1e4 * per_t * 28 for q in quantities]})


def test_pathway_landfill_follows_fod_with_the_base_year_unchanged():
    # 6 x 10^4 t/yr on a steady history, cut to 0 in 2022: 2,760 t CH4 in 2020-2022, then x e^-0.05 a year
    out = landfill_fod(_landfill_rows([6, 6, 0, 0, 0]), None, 0.05, 2020).set_index("year")
    d = math.exp(-0.05)
    assert out["emissions_t"].to_list() == pytest.approx([2760, 2760, 2760, 2760 * d, 2760 * d * d], rel=1e-9)
    assert out["co2e_t"].to_list() == pytest.approx([28 * x for x in out["emissions_t"]], rel=1e-12)
    # a growing history: the ratio to the base year is tier1.fod_ch4_t's (the inventory room's equation)
    history = {y: 60_000 * 1.03 ** (y - 2020) for y in range(1990, 2020)}
    out = landfill_fod(_landfill_rows([6] * 6), history, 0.05, 2020).set_index("year")
    deposits = {**history, **{y: 60_000.0 for y in range(2020, 2026)}}
    for year in (2021, 2025):
        ratio = tier1.fod_ch4_t(deposits, year, 0.05) / tier1.fod_ch4_t(deposits, 2020, 0.05)
        assert out.at[year, "emissions_t"] / out.at[2020, "emissions_t"] == pytest.approx(ratio, rel=1e-9)
    assert out.at[2020, "emissions_t"] == pytest.approx(2760)  # the base year as given
    assert out.at[2025, "emissions_t"] > out.at[2021, "emissions_t"]  # constant deposition: rising to 2,760 x


def test_the_default_countys_pathway_landfill_is_fod(tmp_path):
    file = tmp_path / "s.yaml"
    file.write_text(f"name: fod\nmodel: {MODEL}\npathway:\n  years: [2020, 2023]\n", encoding="utf-8")
    (one,) = expand(file)
    model, _ = prepare(one)
    e = project(model, one.scenario).inventory.emissions
    ch4 = e[(e["category"].astype(str) == "4.A") & (e["gas"].astype(str) == "ch4")].groupby("year")["emissions_t"].sum()
    # the base year is the inventory's: 60,000 t x 0.025863 = 1,551.8 t
    base = compute(model).emissions
    assert ch4[2020] == pytest.approx(base[(base["category"] == "4.A") & (base["gas"] == "ch4")]["emissions_t"].sum())
    assert ch4[2020] == pytest.approx(60_000 * tier1.fod_ch4_per_t(0.05, 0.03, 30), rel=1e-9)
    # deposition held at 60,000 t (no waste driver): CH4 rises along FOD towards the steady 2,760 t,
    # by tier1.fod_ch4_t of the model's history (1990-2019 growing 3 %/yr) + 60,000 t a year
    deposits = {**{y: 60_000 * 1.03 ** (y - 2020) for y in range(1990, 2020)}, **{y: 60_000.0 for y in range(2020, 2024)}}
    assert ch4[2023] == pytest.approx(tier1.fod_ch4_t(deposits, 2023, 0.05), rel=1e-9)
    assert ch4[2020] < ch4[2021] < ch4[2023] < 2_760
