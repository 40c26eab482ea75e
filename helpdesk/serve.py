"""Daphne's command line with an access log that masks visitors' chat tokens (helpdesk.logs).

Daphne writes its access log itself, to a stream and not through logging, so a logging filter cannot reach
it: `python -m helpdesk.serve` takes every option `daphne` takes and hands its server an access log that
masks the token in each path. `make run` and the README's production commands use it."""

from daphne.access import AccessLogGenerator
from daphne.cli import CommandLineInterface
from daphne.server import Server

from helpdesk.logs import mask_tokens


class MaskedAccessLog(AccessLogGenerator):
    def write_entry(self, host, date, request, status=None, length=None, ident=None, user=None):
        super().write_entry(host, date, mask_tokens(request), status, length, ident, user)


class MaskingServer(Server):
    def __init__(self, *args, action_logger=None, **kwargs):
        if isinstance(action_logger, AccessLogGenerator) and not isinstance(action_logger, MaskedAccessLog):
            action_logger = MaskedAccessLog(action_logger.stream)
        super().__init__(*args, action_logger=action_logger, **kwargs)


class MaskingCommandLine(CommandLineInterface):
    server_class = MaskingServer


if __name__ == "__main__":
    MaskingCommandLine.entrypoint()
