"""The reference's HTTP side: a POST that hands a message to a room's group, as the product's Send does."""

from channels.layers import get_channel_layer
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from channels_reference.consumers import EVERYONE, room_group


@csrf_exempt
async def post_message(request, room):
    message = {"type": "chat.message", "message": request.POST.get("body", "")}
    await get_channel_layer().group_send(room_group(room), message)
    return HttpResponse(status=204)


@csrf_exempt
async def broadcast(request):
    """One event to every socket: the floor under the product's team-wide pushes (a new chat, a take)."""
    await get_channel_layer().group_send(EVERYONE, {"type": "chat.message", "message": request.POST.get("body", "")})
    return HttpResponse(status=204)


urlpatterns = [
    path("rooms/<str:room>/messages/", post_message),
    path("broadcast/", broadcast),
]
