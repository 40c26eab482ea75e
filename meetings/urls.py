from django.urls import path

from meetings.views import agent, cancel, widget

urlpatterns = [
    path("chats/<int:session_id>/meetings/book/", agent.book_form, name="meeting_book_form"),
    path("chats/<int:session_id>/meetings/show/", agent.show_calendar, name="meeting_show_calendar"),
    path("chats/<int:session_id>/meetings/away/", agent.away_colleagues, name="meeting_away_colleagues"),
    path("meetings/", agent.upcoming, name="meetings_upcoming"),
    path("meetings/hours/", agent.working_hours, name="meeting_hours"),
    path("meetings/<int:meeting_id>/transcript/", agent.meeting_transcript, name="meeting_transcript"),
    path("meetings/cancel/<str:signature>/", cancel.cancel, name="meeting_cancel"),
    path("widget/<slug:slug>/chat/<str:token>/meetings/<int:calendar_id>/", widget.calendar_slots,
         name="widget_meeting_slots"),
    path("widget/<slug:slug>/chat/<str:token>/meetings/<int:calendar_id>/confirm/", widget.confirm_form,
         name="widget_meeting_confirm"),
    path("widget/<slug:slug>/chat/<str:token>/meetings/<int:calendar_id>/book/", widget.book,
         name="widget_meeting_book"),
]
