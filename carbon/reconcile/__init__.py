"""Reconciliation: the inventory's banner × category figures beside the key emitters' verified emissions
(``compare.py``: pure; ``service.py``: loads the inventory of a year and the ETS verifications), and the
碳普惠 pooled / retired grams beside the city total."""
