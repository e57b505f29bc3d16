from huodong.planning.tests.conftest import media_root  # noqa: F401  (uploads to a temporary folder)
