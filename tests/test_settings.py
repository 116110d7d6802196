from __future__ import annotations

from carbon.core.settings import DEV_TOKEN_SECRET, Settings, get_settings


def test_defaults(monkeypatch):
    monkeypatch.delenv("CARBON_DATABASE_URL", raising=False)
    s = Settings()
    assert s.database_url == "sqlite:///./carbon.db"
    assert s.token_secret == DEV_TOKEN_SECRET
    assert s.puhui_dev_login is False


def test_environment_and_cache_reset(monkeypatch):
    monkeypatch.setenv("CARBON_DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("CARBON_PUHUI_DEV_LOGIN", "true")
    get_settings.cache_clear()
    assert get_settings() is get_settings()
    assert get_settings().database_url == "postgresql+psycopg://u@h/db"
    assert get_settings().puhui_dev_login is True
    monkeypatch.setenv("CARBON_DATABASE_URL", "sqlite://")
    get_settings.cache_clear()
    assert get_settings().database_url == "sqlite://"
