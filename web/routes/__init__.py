"""Console routers: sign-in (auth), the bureau's inventories (inventories), public pages (public)."""
