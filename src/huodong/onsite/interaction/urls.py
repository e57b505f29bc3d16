app_name = "onsite_interaction"

urlpatterns: list = []
