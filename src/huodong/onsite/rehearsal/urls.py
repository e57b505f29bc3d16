app_name = "onsite_rehearsal"

urlpatterns: list = []
