"""Carbon accounts (issue 14): hand-computed entity accounts, hourly factors, grading at every
boundary, a carbon-inclusive PV credit docked into the market, the default county's accounts
adding up to its inventory, and bad inputs (one message, exit 2)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pytest import approx

from carbon.accounts import grade, hourly_factors, issue, metered_scope2
from carbon.accounts.inclusive import LedgerError, book
from carbon.accounts.schema import GradingRule
from carbon.cli import main
from carbon.coupling.accounts import dock
from carbon.market.schema import MarketSection
from carbon.stages.accounts import run_file

ROOT = Path(__file__).resolve().parent.parent
LANKAO = ROOT / "models" / "lankao" / "accounts"


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """A county with two fuels of round factors (no CH4/N2O) and a grid factor of 0.5 t/MWh,
    two firms, and an accounts file; returns the accounts file."""
    model = tmp_path / "county"
    _write(
        model / "model.yaml",
        "name: tiny\nbase_year: 2020\ninventory:\n  activity: activity.csv\n"
        "  factors: ipcc2006\n  gwp: AR5\n  factors_file: factors.csv\n",
    )
    _write(
        model / "factors.csv",
        "factor,item,category,value,unit,source,biogenic\n"
        "ncv,test_coal,,20,GJ/t,test,false\nco2,test_coal,,0.1,t/GJ,test,false\n"
        "ncv,test_gas,,0.04,GJ/m3,test,false\nco2,test_gas,,0.05,t/GJ,test,false\n"
        "co2,electricity,,0.5,t/MWh,test,false\n",
    )
    _write(
        model / "activity.csv",
        "year,sector,category,item,quantity,unit\n"
        "2020,industry,1.A.2,test_coal,1000,t\n2020,industry,1.A.2,test_gas,10,10^4 m3\n"
        "2020,industry,1.A.2,electricity,5000,MWh\n",
    )
    _write(
        tmp_path / "entities.csv",
        "entity,name,kind,sector,inventory_sector,town,loan_10k_cny\n"
        "A,Firm A,firm,widgets,industry,North,1000\nB,Firm B,firm,widgets,industry,South,2000\n",
    )
    _write(
        tmp_path / "activity.csv",
        "entity,year,month,category,item,quantity,unit\n"
        "A,2020,,1.A.2,test_coal,100,t\nA,2020,,1.A.2,test_gas,1,10^4 m3\nA,2020,,1.A.2,electricity,200,MWh\n"
        "B,2020,1,1.A.2,test_coal,25,t\nB,2020,2,1.A.2,test_coal,25,t\nB,2020,,1.A.2,electricity,40,10^4 kWh\n",
    )
    _write(
        tmp_path / "production.csv", "entity,year,output,output_unit,value_added_10k_cny\nA,2020,,,100\nB,2020,,,200\n"
    )
    _write(tmp_path / "bench.csv", "sector,basis,benchmark,unit,source\nwidgets,value_added,2.0,t per 10^4 CNY,test\n")
    return _write(
        tmp_path / "accounts.yaml",
        "name: tiny\nmodel: county\nentities: entities.csv\n"
        "activity: activity.csv\nproduction: production.csv\nbenchmarks: bench.csv\n",
    )


def test_two_firms_scope1_scope2_intensity_by_hand(tiny):
    _, out = run_file(tiny)
    acc = out.tables["accounts"].set_index("entity")
    # A: coal 100 t x 20 GJ/t x 0.1 t/GJ = 200 t; gas 10^4 m3 x 0.04 GJ/m3 x 0.05 t/GJ = 20 t
    #    scope 1 = 220 t; electricity 200 MWh x 0.5 = 100 t scope 2; total 320 t over 100 -> 3.2
    # B: coal 25 + 25 t (two months) x 2 t/t = 100 t; 40 x 10^4 kWh = 400 MWh x 0.5 = 200 t;
    #    total 300 t over 200 -> 1.5
    assert acc.loc["A", ["scope1_t", "scope2_t", "total_t", "intensity"]].tolist() == approx([220, 100, 320, 3.2])
    assert acc.loc["B", ["scope1_t", "scope2_t", "total_t", "intensity"]].tolist() == approx([100, 200, 300, 1.5])
    # benchmark 2.0: A 3.2/2 = 1.6 > 1.2 -> red; B 1.5/2 = 0.75 <= 0.8 -> dark green
    assert acc.loc["A", "ratio"] == approx(1.6) and acc.loc["A", "grade"] == "red"
    assert acc.loc["B", "ratio"] == approx(0.75) and acc.loc["B", "grade"] == "dark_green"
    fuel = out.tables["scope1_by_fuel"]
    assert fuel[(fuel["entity"] == "A") & (fuel["item"] == "test_gas")]["co2e_t"].sum() == approx(20)
    # county: 1000 x 2 + 10^5 m3 x 0.002 + 5000 x 0.5 = 2000 + 200 + 2500 = 4700 t; entities 620; rest 4080
    rec = out.tables["reconciliation"].set_index("scope")
    assert rec.loc["all", ["county_co2e_t", "entities_co2e_t", "rest_co2e_t"]].tolist() == approx([4700, 620, 4080])
    assert rec.loc["all", "difference_t"] == approx(0, abs=1e-9)
    rest = out.tables["rest_of_county"].set_index("item")["co2e_t"]
    assert rest.to_dict() == approx({"electricity": 2500 - 300, "test_coal": 2000 - 300, "test_gas": 200 - 20})
    # green credit: A red at 3.45 % + 30 bp = 3.75 % on 1000 -> 37.5; B dark green 3.15 % on 2000 -> 63
    gc = out.tables["green_credit"].set_index("grade")
    assert gc.loc["red", "interest_10k_cny"] == approx(37.5)
    assert gc.loc["dark_green", "interest_10k_cny"] == approx(63.0)
    assert gc.loc["dark_green", "interest_change_10k_cny"] == approx(-6.0)  # 2000 x -0.30 %


def test_entities_exceeding_the_county_are_an_input_error(tiny, capsys):
    act = tiny.parent / "activity.csv"
    act.write_text(act.read_text().replace("A,2020,,1.A.2,test_coal,100,t", "A,2020,,1.A.2,test_coal,990,t"))
    assert main(["accounts", str(tiny), "-o", str(tiny.parent / "out")]) == 2
    err = capsys.readouterr().err
    assert "entities emit more than the county" in err and "item=test_coal" in err and "(A, B)" in err
    assert err.count("error:") == 1 and "Traceback" not in err
    assert not (tiny.parent / "out").exists()


def test_three_hours_two_mixes_hourly_against_annual_factor():
    # coal 0.9 t/MWh at 300 CNY/MWh, solar 0, import at the grid factor 0.6 and 400 CNY/MWh
    techs = pd.DataFrame(
        {
            "technology": ["coal", "solar", "grid_import"],
            "kind": ["generator", "generator", "grid_import"],
            "co2_t_per_mwh": [0.9, 0.0, np.nan],
            "cost_cny_per_mwh": [300, 0, 400],
        }
    )
    # mix 1 (hours 0 and 2): coal 50 + import 50 MWh; mix 2 (hour 1): solar 100 MWh
    dispatch = pd.DataFrame(
        {
            "hour": [0, 1, 2],
            "weight": [1, 1, 1],
            "coal_mw": [50, 0, 50],
            "solar_mw": [0, 100, 0],
            "grid_import_mw": [50, 0, 50],
        }
    )
    f = hourly_factors(dispatch, techs, 0.6)
    # average: (50 x 0.9 + 50 x 0.6) / 100 = 0.75; hour 1: 0
    assert f["average_t_per_mwh"].tolist() == approx([0.75, 0.0, 0.75])
    # marginal: the import (400 CNY/MWh, dearest running) in mixes 1, solar alone in mix 2
    assert f["marginal_technology"].tolist() == ["grid_import", "solar", "grid_import"]
    assert f["marginal_t_per_mwh"].tolist() == approx([0.6, 0.0, 0.6])
    metered = pd.DataFrame({"entity": "E", "year": 2020, "hour": [0, 1, 2], "kwh": [10000.0, 20000.0, 30000.0]})
    m = metered_scope2(metered, {2020: f}, 0.6, shift_share=0.5).iloc[0]
    # hourly 10 x 0.75 + 20 x 0 + 30 x 0.75 = 30 t; annual factor 60 MWh x 0.6 = 36 t; difference -6 t
    assert m["scope2_hourly_t"] == approx(30.0) and m["scope2_annual_factor_t"] == approx(36.0)
    assert m["hourly_minus_annual_t"] == approx(-6.0)
    # marginal 10 x 0.6 + 30 x 0.6 = 24 t; shifting half of each hour to hour 1 (factor 0):
    # 0.5 x (10 x (0 - 0.75) + 30 x (0 - 0.75)) = -15 t
    assert m["scope2_marginal_t"] == approx(24.0) and m["shift_change_t"] == approx(-15.0)


def test_hourly_factors_of_a_run_folder_reach_the_accounts(tiny):
    run = tiny.parent / "run" / "energy"
    _write(
        run / "dispatch.csv",
        "year,node,step,hour,weight,coal_mw,solar_mw,grid_import_mw\n"
        "2020,n,0,0,1,50,0,50\n2020,n,1,1,1,0,100,0\n2020,n,2,2,1,50,0,50\n",
    )
    # coal: 100 MWh, 90 t, 30000 CNY -> 0.9 t/MWh, 300 CNY/MWh; import 400 CNY/MWh
    _write(
        run / "annual.csv",
        "year,technology,kind,generation_mwh,emissions_t,variable_cost_cny\n"
        "2020,coal,generator,100,90,30000\n2020,solar,generator,100,0,0\n2020,grid_import,grid_import,100,50,40000\n",
    )
    _write(
        tiny.parent / "metered.csv",
        "entity,timestamp,kwh\n"
        + "".join(
            f"A,2020-01-01 {h:02d}:{m:02d},{kwh / 4}\n"
            for h, kwh in enumerate([10000, 20000, 30000])
            for m in (0, 15, 30, 45)
        ),
    )
    tiny.write_text(tiny.read_text() + f"metered: metered.csv\nhourly:\n  run: {run.parent}\n")
    _, out = run_file(tiny)
    m = out.tables["metered"].iloc[0]
    # the 15-minute readings sum to 10, 20, 30 MWh; grid factor 0.5 (the inventory's): hour 0 and
    # 2: (45 + 50 x 0.5) / 100 = 0.7 -> 10 x 0.7 + 30 x 0.7 = 28 t against 60 x 0.5 = 30 t
    assert m["metered_kwh"] == approx(60000) and m["scope2_hourly_t"] == approx(28.0)
    assert m["scope2_annual_factor_t"] == approx(30.0)
    # 60 MWh metered within A's 200 MWh: the accounts keep the annual (location-based) scope 2
    assert out.tables["accounts"].set_index("entity").loc["A", "scope2_t"] == approx(100.0)


@pytest.mark.parametrize(
    ("ratio", "change", "expected"),
    [
        (0.8, np.nan, "dark_green"),
        (0.8000001, np.nan, "light_green"),
        (1.0, np.nan, "light_green"),
        (1.0000001, np.nan, "yellow"),
        (1.2, np.nan, "yellow"),
        (1.2000001, np.nan, "red"),
        (0.9, -0.05, "dark_green"),
        (0.9, -0.0499, "light_green"),
        (0.9, 0.05, "yellow"),
        (0.9, 0.0499, "light_green"),
        (0.5, -0.2, "dark_green"),
        (2.0, 0.2, "red"),
        (1.3, -0.05, "yellow"),
        (np.nan, -0.5, "ungraded"),
    ],
)
def test_grade_at_every_boundary(ratio, change, expected):
    # bounds 0.8 / 1.0 / 1.2 belong to the better grade; a change <= -5 % lifts one grade,
    # >= +5 % drops one, never past dark green or red
    assert grade([ratio], [change], GradingRule())[0] == expected


def _market(firms: str = "") -> MarketSection:
    # three firms: baselines 100, 80, 60; MAC slopes 1, 2, 4; free allocation 70 + 50 + 41.5 = 161.5
    return MarketSection(
        periods=[2021],
        banking=False,
        firms=[
            {"id": "f1", "sector": "x", "baseline": 100, "mac": {"slope": 1}, "allocation": 70},
            {"id": "f2", "sector": "x", "baseline": 80, "mac": {"slope": 2}, "allocation": 50},
            {"id": "f3", "sector": "x", "baseline": 60, "mac": {"slope": 4}, "allocation": 41.5},
        ],
    )


def test_pv_credits_flow_into_the_market_within_the_5_percent_limit(tmp_path):
    methods = pd.read_csv(ROOT / "carbon" / "data" / "accounts_methodologies.csv")
    actions = pd.DataFrame(
        {
            "participant": ["hh1", "hh2"],
            "year": [2021, 2021],
            "methodology": "household_pv",
            "quantity_m": [60000.0, 40000.0],
        }
    )
    credits = issue(actions, methods, grid_factor=0.6, discount=0.1)
    # 60000 kWh x 0.6/1000 t/kWh x (1 - 0.1) = 32.4 t; 40000 kWh -> 21.6 t; 54 t in all
    assert credits["credits_t"].tolist() == approx([32.4, 21.6])
    d = dock(_market(), tmp_path, {2021: 54.0}, price=2.0, limit=0.05)
    # the market's worked example (tests/test_market_offsets.py): offsets at 2 CNY/t with the 5 %
    # limit on the obligation -> E = 161.5 / 0.95 = 170, price (40 - 0.1) / 0.95 = 42, offsets
    # 0.05 x (60, 60, 50) = 3, 3, 2.5: the limit binds, 8.5 t of the 54 t are used
    offer = d.offers.iloc[0]
    assert offer["allowance_price_cny_per_t"] == approx(42.0, rel=1e-9)
    assert offer["credits_used_t"] == approx(8.5) and offer["offsets_used_t"] == approx(8.5)
    assert offer["credits_used_t"] <= 0.05 * offer["obligation_t"] + 1e-9
    assert d.used.set_index("firm")["credits_t"].to_dict() == approx({"f1": 3.0, "f2": 3.0, "f3": 2.5})
    ledger = book(credits, 1.0, d.used, ("f1", "f2", "f3"))
    led = ledger.ledger
    # hh1's credits: 32.4/54 = 60 % of each firm's: f1 gets 1.8 from hh1, and surrenders it
    path = led[(led["origin"] == "hh1") & (led["to"] == "f1")]
    assert path["event"].tolist() == ["transfer"] and path["quantity_t"].iloc[0] == approx(1.8)
    assert led[(led["origin"] == "hh1") & (led["event"] == "surrender")]["quantity_t"].sum() == approx(8.5 * 0.6)
    bal = ledger.balances.set_index("account")["holding_t"]
    # issued 54 = participants 0 + platform 54 - 8.5 = 45.5 + firms 0 + retired 8.5
    assert bal["platform"] == approx(45.5) and bal["retired"] == approx(8.5)
    assert bal["hh1"] == approx(0) and bal[["f1", "f2", "f3"]].sum() == approx(0)
    assert bal.sum() == approx(54.0)


def test_scarce_credits_are_all_used_and_lower_the_price(tmp_path):
    # 5.4 t offered (< the 8.5 t limit): all used; the cap with offsets is 161.5 + 5.4 = 166.9,
    # abatement 240 - 166.9 = 73.1 = p x (1 + 1/2 + 1/4) -> p = 41.7714...
    d = dock(_market(), tmp_path, {2021: 5.4}, price=2.0, limit=0.05)
    offer = d.offers.iloc[0]
    assert offer["credits_used_t"] == approx(5.4)
    assert offer["allowance_price_cny_per_t"] == approx(73.1 / 1.75, rel=1e-6)


def test_a_ledger_that_does_not_balance_is_refused():
    credits = pd.DataFrame({"participant": ["hh"], "year": [2021], "credits_t": [1.0]})
    used = pd.DataFrame({"period": [2021], "firm": ["f"], "credits_t": [2.0]})
    with pytest.raises(LedgerError, match="more than the platform bought"):
        book(credits, 1.0, used, ("f",))


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> Path:
    """``carbon accounts`` of the default county's example, once per module."""
    out_dir = tmp_path_factory.mktemp("accounts") / "acc"
    assert main(["accounts", str(LANKAO / "accounts.yaml"), "-o", str(out_dir)]) == 0
    return out_dir


def test_default_county_accounts_add_up_to_its_inventory(example):
    out_dir = example
    from carbon.model import load_model
    from carbon.stages.inventory import compute

    county = compute(load_model(ROOT / "models" / "lankao"))
    rec = pd.read_csv(out_dir / "reconciliation.csv")
    total = rec[rec["scope"] == "all"].iloc[0]
    assert total["county_co2e_t"] == approx(county.total_co2e_t(), rel=1e-12)
    assert total["entities_co2e_t"] + total["rest_co2e_t"] == approx(county.total_co2e_t(), rel=1e-12)
    acc = pd.read_csv(out_dir / "accounts.csv")
    assert list(acc.columns[:7]) == ["entity", "period", "scope1_t", "scope2_t", "total_t", "intensity", "grade"]
    assert acc[acc["period"] == 2020]["total_t"].sum() == approx(total["entities_co2e_t"], rel=1e-12)
    # (total = scope 1 + scope 2 is checked by hand in the two-firm test; the ledger balance is
    # enforced by book(), whose refusal test_a_ledger_that_does_not_balance_is_refused checks)
    # credits: what the market used is within 5 %
    dock_t = pd.read_csv(out_dir / "docking.csv")
    assert (dock_t["offsets_used_t"] <= dock_t["limit_share"] * dock_t["obligation_t"] * (1 + 1e-9)).all()
    ledger = pd.read_csv(out_dir / "credit_ledger.csv")
    retired = ledger[ledger["event"] == "surrender"]["quantity_t"].sum()
    assert retired == approx(dock_t["credits_used_t"].sum(), rel=1e-9) and retired > 0
    for name in ("credits.csv", "green_credit.csv", "metered.csv", "hourly_factors.csv", "market_ledger.csv"):
        assert (out_dir / name).is_file()


def test_scenario_with_accounts_writes_them_in_the_run(tmp_path, capsys):
    assert main(["run", str(LANKAO / "scenario.yaml"), "-o", str(tmp_path), "-q", "-j", "1"]) == 0
    run = tmp_path / "lankao_accounts"
    acc = pd.read_csv(run / "accounts" / "accounts.csv")
    inv = pd.read_csv(run / "inventory" / "emissions.csv")
    rec = pd.read_csv(run / "accounts" / "reconciliation.csv")
    county = inv[~inv["memo"]]["co2e_t"].sum()
    assert rec[rec["scope"] == "all"]["county_co2e_t"].iloc[0] == approx(county, rel=1e-12)
    assert set(acc["entity"]) == set(pd.read_csv(LANKAO / "entities.csv")["entity"])
    summary = pd.read_csv(tmp_path / "summary.csv")
    assert summary["accounts.entities"].iloc[0] == 7
    # the run's report has the accounts section, in Chinese, with its figures and grades
    assert main(["report", str(run), "--lang", "zh"]) == 0
    page = (run / "report.html").read_text(encoding="utf-8")
    section = page[page.index('<section id="accounts">') :]
    section = section[: section.index("</section>")]
    assert "<h2>碳账户与碳普惠</h2>" in section and section.count("<figure") == 4 and "深绿" in section
    assert 'href="#accounts"' in page


def _copy_example(tmp_path: Path) -> Path:
    folder = tmp_path / "acc"
    shutil.copytree(LANKAO, folder)
    spec = folder / "accounts.yaml"
    spec.write_text(
        spec.read_text()
        .replace("model: ..", f"model: {ROOT / 'models' / 'lankao'}")
        .replace("../../../scenarios", str(ROOT / "scenarios"))
    )
    return folder


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("activity.csv", "furn-02,2020,,,1.A.2,raw_coal", "furn-2,2020,,,1.A.2,raw_coal", "unknown entity 'furn-2'"),
        ("metered.csv", "furn-01,2020-06-01 05:00,500.0\n", "", "gap in metered readings"),
        ("metered.csv", "furn-01,2020-06-01 05:00", "furn-01,2020-06-01 04:00", "duplicate metered reading"),
        ("metered.csv", "pub-01,2020-06-02 03:00,250.0", "pub-01,2020-06-02 03:00,-250.0", "negative metered reading"),
        ("actions.csv", "straw-yz,2021,straw_not_burnt", "straw-yz,2021,straw_not_burned", "unknown methodology"),
    ],
)
def test_bad_inputs_one_message_exit_2(tmp_path, capsys, file, old, new, message):
    folder = _copy_example(tmp_path)
    _edit(folder / file, old, new)
    assert main(["accounts", str(folder / "accounts.yaml"), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert message in err and file in err
    assert err.count("error:") == 1 and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_validate_reads_the_accounts_tables_of_a_scenario(tmp_path, capsys):
    """`carbon validate` checks the accounts tables without running: a bad row is one message, exit 2."""
    folder = _copy_example(tmp_path)
    spec = _write(
        folder / "s.yaml",
        f"name: s\nmodel: {ROOT / 'models' / 'lankao'}\n"
        "accounts: {entities: entities.csv, activity: activity.csv, metered: metered.csv}\n",
    )
    assert main(["validate", str(spec)]) == 0
    _edit(folder / "metered.csv", "furn-01,2020-06-01 05:00", "furn-01,2020-06-01 04:00")
    capsys.readouterr()
    assert main(["validate", str(spec)]) == 2
    err = capsys.readouterr().err
    assert "duplicate metered reading" in err and "metered.csv" in err and "Traceback" not in err


def test_unknown_key_in_the_accounts_file_is_named(tmp_path, capsys):
    folder = _copy_example(tmp_path)
    _edit(folder / "accounts.yaml", "sell_share: 1.0", "sel_share: 1.0")
    assert main(["accounts", str(folder / "accounts.yaml"), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "sel_share" in err and "sell_share" in err


def test_bundled_scenarios_do_not_run_accounts():
    from carbon.errors import CarbonError
    from carbon.scenario import load

    checked = 0
    for file in sorted((ROOT / "scenarios").glob("*.yaml")):
        try:
            scenario = load(file)
        except CarbonError:  # a scenario that does not load is other tests' business
            continue
        assert scenario.accounts is None, file.name
        checked += 1
    assert checked >= 3


def test_figures_of_the_accounts_draw_what_the_tables_hold(example):
    from carbon.plots import accounts as figures

    fig = figures.grade_map(example)
    acc = pd.read_csv(example / "accounts.csv")
    last = acc[acc["period"] == acc["period"].max()]
    widths = sum(p.get_width() for p in fig.axes[0].patches)
    assert widths == len(last)  # one unit of bar per account, stacked by grade
    fig = figures.intensity_distribution(example)
    xs = np.concatenate([c.get_offsets()[:, 0] for c in fig.axes[0].collections])
    assert sorted(xs) == approx(sorted(acc["ratio"].dropna()))
    fig = figures.credits_over_time(example)
    credits = pd.read_csv(example / "credits.csv")
    assert sum(p.get_height() for p in fig.axes[0].patches) == approx(credits["credits_t"].sum())
    fig = figures.hourly_profile(example)
    assert len(fig.axes[0].lines) == 3  # average, marginal, the annual factor


def test_report_section_shows_grades_and_reconciliation(example):
    from carbon.report.accounts import accounts_section

    text = accounts_section(example)
    assert "dark green" in text and "rest of county" in text
    assert "浅绿" in accounts_section(example, "zh") or "深绿" in accounts_section(example, "zh")
    assert accounts_section(example / "nothing") == ""


def test_an_accounts_file_may_name_a_scenario_whose_overrides_apply(tiny):
    # the scenario doubles the county's coal: the rest of the county grows by 1000 t x 2 t/t
    _write(tiny.parent / "s.yaml", "name: s\nmodel: county\noverrides:\n  activity.industry.test_coal.quantity: 2000\n")
    tiny.write_text(tiny.read_text().replace("model: county", "scenario: s.yaml"))
    _, out = run_file(tiny)
    rec = out.tables["reconciliation"].set_index("scope")
    assert rec.loc["all", ["county_co2e_t", "entities_co2e_t", "rest_co2e_t"]].tolist() == approx([6700, 620, 6080])


def test_a_household_burning_firewood_gets_fossil_tce_only(tiny):
    # firewood: biomass (biogenic) -> its CO2 is a memo and its energy is not counted in tce
    county = tiny.parent / "county"
    _write(
        county / "factors.csv",
        (county / "factors.csv").read_text() + "ncv,test_wood,,15,GJ/t,test,true\nco2,test_wood,,0.1,t/GJ,test,true\n",
    )
    _write(
        county / "activity.csv",
        (county / "activity.csv").read_text()
        + "2020,residential,1.A.4,test_wood,80,t\n2020,residential,1.A.4,test_coal,50,t\n",
    )
    _write(
        tiny.parent / "entities.csv",
        (tiny.parent / "entities.csv").read_text() + "H,Household H,household,homes,residential,North,0\n",
    )
    _write(
        tiny.parent / "activity.csv",
        (tiny.parent / "activity.csv").read_text() + "H,2020,,1.A.4,test_wood,8,t\nH,2020,,1.A.4,test_coal,10,t\n",
    )
    _, out = run_file(tiny)
    acc = out.tables["accounts"].set_index("entity")
    # H: coal 10 t x 20 GJ/t = 200 GJ / 29.3076 GJ/tce = 6.824 tce; the 8 t of firewood
    # (8 x 15 = 120 GJ) are left out; scope 1 = coal 10 x 2 t/t = 20 t (firewood CO2 is a memo)
    assert acc.loc["H", "energy_tce"] == approx(200 / 29.3076, rel=1e-6)
    assert acc.loc["H", "scope1_t"] == approx(20.0)


def test_summary_co2e_and_share_are_over_the_same_years(tiny):
    # the county's 2021 is twice its 2020 (9400 t); the entities report 2020 only (620 t)
    county = tiny.parent / "county" / "activity.csv"
    county.write_text(
        county.read_text() + "2021,industry,1.A.2,test_coal,2000,t\n2021,industry,1.A.2,test_gas,20,10^4 m3\n"
        "2021,industry,1.A.2,electricity,10000,MWh\n"
    )
    _, out = run_file(tiny)
    s = out.summary
    # all years: entities 620 + 0 = 620 t of the county's 4700 + 9400 = 14100 t
    assert s["entities_co2e_t"] == approx(620.0)
    assert s["entities_share"] == approx(620.0 / 14100.0)


def _kt_market() -> MarketSection:
    # _market() in ktCO2: quantities / 1000; a MAC slope in CNY/kt per kt abated is x 10^6
    return MarketSection(
        periods=[2021],
        banking=False,
        unit="ktCO2",
        firms=[
            {"id": "f1", "sector": "x", "baseline": 0.1, "mac": {"slope": 1e6}, "allocation": 0.07},
            {"id": "f2", "sector": "x", "baseline": 0.08, "mac": {"slope": 2e6}, "allocation": 0.05},
            {"id": "f3", "sector": "x", "baseline": 0.06, "mac": {"slope": 4e6}, "allocation": 0.0415},
        ],
    )


def test_credits_dock_into_a_kt_market_in_tonnes(tmp_path):
    # the same market as the 5 % test in kt: 54 t offered at 2 CNY/t (2000 CNY/kt); the limit binds
    # at 8.5 t (0.0085 kt), the price is 42 CNY/t (42000 CNY/kt), f1 f2 f3 surrender 3, 3, 2.5 t
    d = dock(_kt_market(), tmp_path, {2021: 54.0}, price=2.0, limit=0.05)
    offer = d.offers.iloc[0]
    assert offer["credits_used_t"] == approx(8.5, rel=1e-6) and offer["offsets_used_t"] == approx(8.5, rel=1e-6)
    assert offer["allowance_price_cny_per_t"] == approx(42.0, rel=1e-6)
    assert offer["obligation_t"] == approx(170.0, rel=1e-6)
    assert d.used.set_index("firm")["credits_t"].to_dict() == approx({"f1": 3.0, "f2": 3.0, "f3": 2.5}, rel=1e-6)
    assert d.result.periods["offsets"].iloc[0] == approx(0.0085, rel=1e-6)


def test_credits_do_not_dock_into_an_energy_use_rights_market(tmp_path):
    from carbon.errors import InputError

    market = _market().model_copy(update={"unit": "tce"})
    with pytest.raises(InputError, match="carbon market only") as err:
        dock(market, tmp_path, {2021: 54.0}, price=2.0, limit=0.05)
    assert err.value.key == "market.unit" and err.value.found == "tce"


def test_a_participant_linked_to_an_unknown_entity_is_named(tmp_path, capsys):
    folder = _copy_example(tmp_path)
    parts = (folder / "participants.csv").read_text().splitlines()
    header = parts[0].split(",")
    assert "entity" in header
    col = header.index("entity")
    linked = next(i for i, line in enumerate(parts[1:], start=1) if line.split(",")[col].strip())
    cells = parts[linked].split(",")
    cells[col] = cells[col] + "-typo"
    parts[linked] = ",".join(cells)
    (folder / "participants.csv").write_text("\n".join(parts) + "\n")
    assert main(["accounts", str(folder / "accounts.yaml"), "-o", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "unknown entity" in err and f"row {linked + 1}" in err and "participants.csv" in err
    assert "-typo" in err and "Traceback" not in err


def test_two_entities_with_one_market_firm_are_refused(tiny):
    from carbon.accounts.tables import entities
    from carbon.errors import InputError

    path = _write(
        tiny.parent / "entities2.csv",
        "entity,name,kind,sector,inventory_sector,town,market_firm\n"
        "A,Firm A,firm,widgets,industry,North,f1\nB,Firm B,firm,widgets,industry,South,\n"
        "C,Firm C,firm,widgets,industry,South,\nD,Firm D,firm,widgets,industry,South,f1\n",
    )
    with pytest.raises(InputError, match="market firm 'f1' is linked to two entities") as err:
        entities(path)
    assert err.value.key == "row 5, column market_firm"
    # blanks are no firm: two entities without one are fine
    assert list(entities(path.with_name("entities.csv"))["entity"]) == ["A", "B"]
