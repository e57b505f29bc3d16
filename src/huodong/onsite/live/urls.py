app_name = "onsite_live"

urlpatterns: list = []
