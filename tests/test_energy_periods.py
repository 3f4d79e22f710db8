"""Representative days, storage linking across days, and milestone years."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from carbon.energy import (
    EnergySystem,
    load_system,
    representative_days,
    solve,
    time_slices,
    with_changes,
)
from carbon.energy.inputs import YearAssumptions
from carbon.energy.milestones import solve_milestones

MODEL = Path(__file__).resolve().parents[1] / "models" / "lankao"


def test_representative_day_weights_sum_to_365_and_are_deterministic():
    system = load_system(MODEL)
    for k in (12, 24, 48):
        a = representative_days(system.profiles, k)
        b = representative_days(system.profiles, k)
        assert a.n_periods == k
        assert a.day_weights().sum() == 365
        assert a.weight.sum() == pytest.approx(8760)
        assert np.array_equal(a.medoid_day, b.medoid_day)
        assert np.array_equal(a.sequence, b.sequence)
        # each medoid represents itself and periods come in calendar order
        assert all(a.sequence[day] == k_ for k_, day in enumerate(a.medoid_day))
        assert np.all(np.diff(a.medoid_day) > 0)


def _two_price_days(**settings):
    # 4 days: days 0-1 import at 10 CNY/MWh, days 2-3 at 1,000; flat load 5 MW; a 1 MW / 48 MWh
    # lossless store. Each hour weighs 1 (hours_per_year = 96).
    price = np.repeat([10.0, 10.0, 1000.0, 1000.0], 24)
    techs = [
        {"name": "grid", "kind": "grid_import", "existing_mw": 10, "price_profile": "price"},
        {"name": "store", "kind": "storage", "existing_mw": 1, "existing_mwh": 48},
    ]
    return EnergySystem.from_frames(
        techs, {"load_mw": np.full(96, 5.0), "price": price}, {"hours_per_year": 96, **settings}
    )


def test_chronological_linking_values_long_duration_storage():
    # Without storage: 2 x 24 x 5 x 10 + 2 x 24 x 5 x 1000 = 242,400 CNY.
    # The store fills 1 MW x 48 h on the cheap days (48 MWh) and empties on the dear days:
    # saves 48 x (1000 - 10) = 47,520 -> 194,880 CNY, hourly and with 2 representative days
    # linked chronologically (clusters {0,1} and {2,3}, each day weighs 2).
    # Cyclic within each day, the flat daily price gives the store nothing to do: 242,400.
    hourly = solve(_two_price_days())
    assert hourly.objective_cny == pytest.approx(194_880)
    chrono = solve(_two_price_days(resolution={"mode": "days", "days": 2, "storage_linking": "chronological"}))
    assert chrono.objective_cny == pytest.approx(194_880)
    cyclic = solve(_two_price_days(resolution={"mode": "days", "days": 2, "storage_linking": "cyclic"}))
    assert cyclic.objective_cny == pytest.approx(242_400)
    slices = time_slices(_two_price_days(resolution={"mode": "days", "days": 2}))
    assert slices.day_weights().tolist() == [2, 2]
    assert slices.sequence.tolist() == [0, 0, 1, 1]


def test_chronological_linking_respects_energy_capacity():
    # Halve the store to 24 MWh: it can carry only 24 MWh to the dear days:
    # 242,400 - 24 x 990 = 218,640 CNY, the same hourly and with linked representative days.
    changes = {"store": {"existing_mwh": 24}}
    hourly = solve(with_changes(_two_price_days(), technologies=changes))
    linked = solve(with_changes(_two_price_days(resolution={"mode": "days", "days": 2}), technologies=changes))
    assert hourly.objective_cny == pytest.approx(218_640)
    assert linked.objective_cny == pytest.approx(218_640)


def _milestone_system():
    # One hour per year (hours_per_year = 1). "old" (existing 10 MW, 300 CNY/MWh, built 2000,
    # lifetime 28) retires after 2027. "new" costs 500 CNY/MW/yr + 10 CNY/MWh, lifetime 30.
    techs = [
        {
            "name": "old",
            "kind": "generator",
            "existing_mw": 10,
            "existing_build_year": 2000,
            "lifetime_years": 28,
            "vom_cny_per_mwh": 300,
        },
        {
            "name": "new",
            "kind": "generator",
            "expandable": True,
            "annual_capex_cny_per_mw": 500,
            "lifetime_years": 30,
            "vom_cny_per_mwh": 10,
        },
    ]
    return EnergySystem.from_frames(
        techs, {"load_mw": [10.0]}, {"hours_per_year": 1, "value_of_lost_load_cny_per_mwh": 1e4}
    )


def test_myopic_milestones_keep_builds_and_retire_old_plants():
    # 2025: load 10; building new costs 500 + 10 = 510 per MW-hour against 300 from "old":
    # nothing built, cost 3,000. 2030: "old" has retired (2000 + 28 <= 2030), load 20 MW:
    # 20 MW of "new" is built: 20 x 500 + 20 x 10 = 10,200. 2035: load 15 MW, the 20 MW built
    # in 2030 is still alive (annuity still paid, a constant): 20 x 500 + 15 x 10 = 10,150.
    system = _milestone_system()
    years = [2025, 2030, 2035]
    a = {
        2025: YearAssumptions(demand_factor=1.0),
        2030: YearAssumptions(demand_factor=2.0),
        2035: YearAssumptions(demand_factor=1.5),
    }
    result, built = solve_milestones(system, years, a, foresight="myopic")
    cap = result.capacity.set_index(["year", "technology"])
    assert cap.at[(2025, "new"), "total_mw"] == pytest.approx(0)
    assert cap.at[(2030, "old"), "total_mw"] == pytest.approx(0)
    assert cap.at[(2030, "new"), "new_mw"] == pytest.approx(20)
    assert cap.at[(2035, "new"), "total_mw"] == pytest.approx(20)
    assert built == {("new", 2030): pytest.approx((20.0, 0.0))}
    assert result.years["total_cost_cny"].tolist() == pytest.approx([3_000, 10_200, 10_150])
    assert result.objective_cny == pytest.approx(23_350)


def test_perfect_foresight_weights_years_and_discounts():
    # Same system, 2025 and 2030, discount rate 0: each milestone stands for 5 years.
    # Foresight builds "new" only in 2030 (as myopic) and the objective is
    # 5 x 3,000 + 5 x 10,200 = 66,000.
    system = with_changes(_milestone_system(), settings={"discount_rate": 0.0})
    a = {2025: YearAssumptions(demand_factor=1.0), 2030: YearAssumptions(demand_factor=2.0)}
    result, built = solve_milestones(system, [2025, 2030], a, foresight="perfect")
    assert result.objective_cny == pytest.approx(66_000)
    assert built[("new", 2030)][0] == pytest.approx(20)
    assert built[("new", 2025)][0] == pytest.approx(0)
    # discounting at 10 %: 2030 weighs 5 x 1.1^-5 = 3.1046
    disc = with_changes(_milestone_system(), settings={"discount_rate": 0.1})
    result, _ = solve_milestones(disc, [2025, 2030], a, foresight="perfect", base_year=2025)
    assert result.objective_cny == pytest.approx(5 * 3_000 + 5 * 1.1**-5 * 10_200)


def test_peak_day_is_kept_as_its_own_representative_day():
    system = load_system(MODEL)
    peak_hour = int(np.argmax(system.profiles["load_mw"].to_numpy()))
    slices = representative_days(system.profiles, 12, peak_day=True)
    assert peak_hour // 24 in slices.medoid_day
    k = int(np.flatnonzero(slices.medoid_day == peak_hour // 24)[0])
    assert slices.day_weights()[k] == 1
    assert slices.day_weights().sum() == 365
    assert slices.n_periods == 12
    # the peak hour is among the modelled hours, so the model sees the peak load
    assert peak_hour in slices.hour
