"""IPCC 2006 Tier 1 equations behind the per-unit factors of the non-fuel categories.

Each function is one equation of the Guidelines, in tonnes; the factor files hold the per-unit
factors these functions give for the default parameters (the ``source`` column says which call),
so an inventory stays activity x factor and a user can recompute a factor for other parameters.
"""

from __future__ import annotations

from carbon.decay import decomposed

N2O_PER_N = 44.0 / 28.0
CO2_PER_C = 44.0 / 12.0
CH4_PER_C = 16.0 / 12.0

# IPCC 2006 Vol.5 Ch.2 Table 2.4: dry matter (fraction of wet weight), total carbon and fossil carbon
# (fractions of dry matter) of MSW components
WASTE_COMPONENTS = {
    "food": (0.40, 0.38, 0.0), "garden": (0.40, 0.49, 0.0), "paper": (0.90, 0.46, 0.01),
    "wood": (0.85, 0.50, 0.0), "textiles": (0.80, 0.50, 0.20), "nappies": (0.40, 0.70, 0.10),
    "rubber_leather": (0.84, 0.67, 0.20), "plastics": (1.00, 0.75, 1.00), "metal": (1.00, 0.0, 0.0),
    "glass": (1.00, 0.0, 0.0), "other": (0.90, 0.03, 1.00),
}
# IPCC 2006 Vol.5 Ch.2 Table 2.3: MSW composition of Eastern Asia (% of wet weight)
EASTERN_ASIA_MSW = {"food": 0.262, "paper": 0.188, "wood": 0.035, "textiles": 0.035, "rubber_leather": 0.010,
                    "plastics": 0.143, "metal": 0.027, "glass": 0.031, "other": 0.074}
# IPCC 2006 Vol.5 Ch.3 Table 3.3: FOD decay rate k (1/yr) of bulk MSW by climate zone
DECAY_RATE_BULK_MSW = {"boreal_temperate_dry": 0.05, "boreal_temperate_wet": 0.09,
                       "tropical_dry": 0.065, "tropical_wet": 0.17}


def incineration_co2_t(waste_t: float, composition: dict[str, float] | None = None, oxidation: float = 1.0) -> float:
    """Fossil CO2 of incinerated MSW, t (Vol.5 Eq.5.2): W x sum_j WF_j dm_j CF_j FCF_j x OF x 44/12.

    ``composition``: wet-weight fractions by component (default Eastern Asia, Table 2.3); OF 1.0
    for incineration (Table 5.2)."""
    comp = EASTERN_ASIA_MSW if composition is None else composition
    carbon = sum(share * WASTE_COMPONENTS[c][0] * WASTE_COMPONENTS[c][1] * WASTE_COMPONENTS[c][2]
                 for c, share in comp.items())
    return waste_t * carbon * oxidation * CO2_PER_C


def manure_n2o_t(heads: float, nex_kg: float, shares: dict[str, float], ef3: dict[str, float],
                 frac_gas: dict[str, float], ef4: float = 0.01) -> tuple[float, float]:
    """Direct and indirect (volatilisation) N2O of manure management, t (Vol.4 Eq.10.25, 10.26, 10.27).

    ``nex_kg``: N excreted, kg N/head/yr; ``shares``: fraction of manure by management system;
    ``ef3``: kg N2O-N/kg N by system (Table 10.21); ``frac_gas``: N volatilised as NH3 + NOx by
    system (Table 10.22); ``ef4``: kg N2O-N per kg N volatilised (Vol.4 Table 11.3)."""
    n_t = heads * nex_kg / 1000.0
    direct = sum(n_t * s * ef3[m] for m, s in shares.items()) * N2O_PER_N
    indirect = sum(n_t * s * frac_gas[m] for m, s in shares.items()) * ef4 * N2O_PER_N
    return direct, indirect


def soils_indirect_n2o_t(synthetic_n_t: float, organic_n_t: float = 0.0, frac_gasf: float = 0.10,
                         frac_gasm: float = 0.20, frac_leach: float = 0.30, ef4: float = 0.01,
                         ef5: float = 0.0075) -> float:
    """Indirect N2O of managed soils, t (Vol.4 Eq.11.9 volatilisation + Eq.11.10 leaching; Table 11.3
    defaults): (F_SN Frac_GASF + F_ON Frac_GASM) EF4 + (F_SN + F_ON) Frac_LEACH EF5, x 44/28."""
    volatilised = (synthetic_n_t * frac_gasf + organic_n_t * frac_gasm) * ef4
    leached = (synthetic_n_t + organic_n_t) * frac_leach * ef5
    return (volatilised + leached) * N2O_PER_N


def field_burning_t(dry_matter_t: float, combustion_factor: float = 0.80, ch4_g_per_kg: float = 2.7,
                    n2o_g_per_kg: float = 0.07) -> tuple[float, float]:
    """CH4 and N2O of burning crop residues in the field, t (Vol.4 Eq.2.27): M_B x C_f x G_ef.

    Defaults: C_f 0.80 (Table 2.6, maize residues), G_ef 2.7 g CH4 and 0.07 g N2O per kg dry
    matter burnt (Table 2.5, agricultural residues)."""
    burnt_kg = dry_matter_t * combustion_factor * 1000.0
    return burnt_kg * ch4_g_per_kg / 1e6, burnt_kg * n2o_g_per_kg / 1e6


def wastewater_n2o_t(population: float, protein_kg: float, f_npr: float = 0.16, f_non_con: float = 1.4,
                     f_ind_com: float = 1.25, n_sludge_t: float = 0.0, ef: float = 0.005) -> float:
    """N2O from domestic wastewater effluent, t (Vol.5 Eq.6.7, 6.8): N_effluent x EF x 44/28 with
    N_effluent = P x Protein x F_NPR x F_NON-CON x F_IND-COM - N_sludge (kg N/yr -> t)."""
    n_effluent_t = population * protein_kg * f_npr * f_non_con * f_ind_com / 1000.0 - n_sludge_t
    return n_effluent_t * ef * N2O_PER_N


def mass_balance_ch4_per_t(doc: float = 0.138, docf: float = 0.5, mcf: float = 1.0, f: float = 0.5) -> float:
    """t CH4 per t of MSW landfilled, all of it generated at once (the 1996 mass balance):
    DOC x DOC_f x MCF x F x 16/12."""
    return doc * docf * mcf * f * CH4_PER_C


def fod_ch4_t(deposits: dict[int, float], year: int, k: float, doc: float = 0.138, docf: float = 0.5,
              mcf: float = 1.0, f: float = 0.5, oxidation: float = 0.0) -> float:
    """CH4 generated in ``year`` by first-order decay, t (Vol.5 Eq.3.4-3.6, Tier 1).

    DDOCm deposited in year y decays from the following year: DDOCma(T) = DDOCmd(T) + DDOCma(T-1)
    e^-k, DDOCm decomposed(T) = DDOCma(T-1) (1 - e^-k); CH4 = decomposed x F x 16/12 x (1 - OX).
    ``deposits``: t of MSW landfilled by year; ``k``: decay rate, 1/yr (ln 2 / half-life)."""
    ddocm = {y: t * doc * docf * mcf for y, t in deposits.items()}
    return decomposed(ddocm, [year], k)[year] * f * CH4_PER_C * (1.0 - oxidation)


def fod_ch4_per_t(k: float, growth: float, years: int, **kwargs) -> float:
    """t CH4 in the last year per t landfilled that year, for a history of ``years`` years of
    deposits growing at ``growth`` per year (the assumed history of a county without records)."""
    deposits = {y: (1.0 + growth) ** (y - years) for y in range(years + 1)}
    return fod_ch4_t(deposits, years, k, **kwargs)
