"""Council tax: bands and charges, liability and discounts, instalments and balances.

The pure domain core lives in `charges`, `billing` and `instalments`: plain functions, all money in pence.
"""
