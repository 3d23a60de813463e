"""Settings for the test suite: the same as production's shape, with jobs run at once and fixed keys."""

from qiaolian.settings import *  # noqa: F403

TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
QIAOLIAN_FIELD_KEYS = ["u3Zq8yXvJ1n4sV0mZs2m3qkYbQ6c1mJ8kG7rD5hP2aE="]
QIAOLIAN_BLIND_INDEX_KEY = "test-blind-index-key"
# Imports check in the test process itself; the tests of the worker processes say so.
QIAOLIAN_IMPORT_WORKERS = 1
SECRET_KEY = "test-secret-key-not-for-production-use-0123456789abcdef"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_FAILURE_LIMIT = 5
# Two-factor authentication is not required of any role in tests (signing in with force_login or
# the password keeps working); the tests of enforcement switch it on with override_settings.
QIAOLIAN_2FA_ENFORCED_ROLES: list[str] = []
PASSWORD_HASHERS = ["qiaolian.core.hashers.FastArgon2PasswordHasher"]
# Figures are computed afresh in every test (tests of the figures cache switch it on themselves).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "figures": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
}
