"""FastAPI application: thin routers over carbon/."""
