"""One-shot call auction (uniform price) of single units.

Bids sorted from the highest, asks from the lowest: the traded quantity q is the largest k
with the k-th bid >= the k-th ask. Every price in [max(a_q, b_{q+1}), min(b_q, a_{q+1})]
clears the market (q bids at or above it, q asks at or below it, and no (q+1)-th pair
willing to trade); missing neighbours are left out of the max and min. With no trade the
interval is [b_1, a_1] (any price between the best bid and the best ask); prices are not
negative.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CallAuctionResult:
    """Quantity traded (units) and the interval of uniform clearing prices (CNY/unit)."""

    quantity: int
    price_low: float
    price_high: float

    @property
    def price_mid(self) -> float:
        """Midpoint of the clearing interval (inf if the interval is unbounded above)."""
        return 0.5 * (self.price_low + self.price_high)


def call_auction(bids, asks) -> CallAuctionResult:
    """Clear a uniform-price call auction of unit bids and asks.

    Parameters
    ----------
    bids
        Limit prices of buyers, one per unit, CNY/unit.
    asks
        Limit prices of sellers, one per unit, CNY/unit.

    Returns
    -------
    CallAuctionResult
        ``quantity`` traded and the clearing interval ``[price_low, price_high]``.

    Examples
    --------
    >>> r = call_auction([10, 8, 6, 4], [3, 5, 7, 9])
    >>> (r.quantity, r.price_low, r.price_high)
    (2, 6.0, 7.0)
    """
    b = np.sort(np.asarray(bids, dtype=float))[::-1]
    a = np.sort(np.asarray(asks, dtype=float))
    n = min(len(b), len(a))
    q = int(np.sum(b[:n] >= a[:n]))  # b descending, a ascending: the crossing pairs come first
    lows = [0.0]
    highs = [np.inf]
    if q > 0:
        lows.append(a[q - 1])
        highs.append(b[q - 1])
    if q < len(b):
        lows.append(b[q])
    if q < len(a):
        highs.append(a[q])
    return CallAuctionResult(q, float(max(lows)), float(min(highs)))
