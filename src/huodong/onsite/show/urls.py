app_name = "onsite_show"

urlpatterns: list = []
