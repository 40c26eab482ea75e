"""The live layer: what keeps every open screen current, in one place that may depend on chat, transfers
and the people side alike.

- events.py   group names, event types, and `push_on_commit`, the one way services announce a change
- consumers/  the websockets: workspace, chat panel, visitor widget, admin list
- fragments.py, alerts.py, typing.py   what those sockets render, with the partials the pages include
- access.py   what one person may see and do in one chat (views, consumers and templates all ask it)
- renders.py  render once per audience, database work off the single sync thread
- watchdog.py no deaf sockets when Redis fails or restarts
- sweeper.py  the visitors' heartbeat and the chats' time-outs, on a clock in every process with sockets
"""
