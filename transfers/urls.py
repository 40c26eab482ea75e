from django.urls import path

from transfers import views

urlpatterns = [
    path("chats/<int:session_id>/transfer/", views.start, name="transfer_start"),
    path("chats/<int:session_id>/take-over/", views.take_over, name="take_over"),
    path("transfers/<int:transfer_id>/accept/", views.accept, name="transfer_accept"),
    path("transfers/<int:transfer_id>/reject/", views.reject, name="transfer_reject"),
    path("transfers/<int:transfer_id>/cancel/", views.cancel, name="transfer_cancel"),
]
