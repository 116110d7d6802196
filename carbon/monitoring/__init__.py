"""Carbon monitoring (碳监测): CEMS data in the HJ 212-2017 protocol, measured emissions per stack, and their
comparison with calculated (accounting-method) emissions. See docs/monitoring.md.

- ``hj212``: pure parser of HJ 212-2017 frames (CRC16, length, fields, flags), units as a table.
- ``compute``: pure calculators: hourly CO2 mass from concentration × flow, wet/actual → dry/standard,
  data-quality rules, measured vs calculated comparison and the finding it gives.
- ``models`` / ``service`` / ``commands``: the ``cems_*`` tables, ingest (idempotent), CLI.
"""
