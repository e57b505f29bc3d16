app_name = "onsite_incidents"

urlpatterns: list = []
