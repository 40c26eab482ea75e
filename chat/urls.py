from django.urls import path

from chat.views import widget, workspace

urlpatterns = [
    path("", workspace.workspace, name="workspace"),
    path("chats/next/", workspace.take_next, name="take_next"),
    path("chats/<int:session_id>/", workspace.chat_panel, name="chat_panel"),
    path("chats/<int:session_id>/answer/", workspace.answer, name="answer"),
    path("chats/<int:session_id>/messages/", workspace.send_message, name="send_message"),
    path("chats/<int:session_id>/end/", workspace.end_chat, name="end_chat"),
    path("chats/<int:session_id>/close-window/", workspace.close_window, name="close_window"),
    path("chats/<int:session_id>/transcript/", workspace.recent_transcript, name="recent_transcript"),
    path("widget/<slug:slug>/", widget.widget_page, name="widget"),
    path("widget/<slug:slug>/start/", widget.start_chat, name="widget_start"),
    path("widget/<slug:slug>/offline/", widget.leave_message, name="widget_offline"),
    path("widget/<slug:slug>/chat/<str:token>/", widget.chat_state, name="widget_chat"),
    path("widget/<slug:slug>/chat/<str:token>/messages/", widget.visitor_message, name="widget_message"),
    path("widget/<slug:slug>/chat/<str:token>/end/", widget.visitor_end, name="widget_end"),
    path("demo/", widget.demo_host_page, name="demo_host"),
]
