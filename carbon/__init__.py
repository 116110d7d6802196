"""carbon: GHG inventory, intensity, key-emitter MRV/ETS and 碳普惠 for Chinese city ecology bureaus."""

__version__ = "0.1.0"
