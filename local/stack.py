"""Start and stop the whole local stack in this process.

    stack = start("template.yaml", port=0, seed=False)
    requests.get(f"{stack.url}/customers", headers=...)
    stack.stop()

Several stacks may run in one process (each under its own stack name, since physical
names must not clash); they share one moto server.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.test import Client

from local.aws import Provisioned, TokenIssuer, acquire_moto, jwks_url, provision, release_moto
from local.dev_routes import LocalRoutes
from local.gateway import Gateway, JwtAuthorizer
from local.mail import MailBox, MailWatcher
from local.runtime import FunctionLoadError, Functions
from local.template import DEFAULT_STACK_NAME, DEFAULT_TEMPLATE, Template
from local.workers import QueuePoller, Schedules

DEMO_STUDIO_ID = "demo-studio"
DEMO_STUDIO = {
    "name": "Demo Rehearsal Rooms",
    "currency": "GBP",
    "country": "GB",
    "public_signup": True,
    "rooms": [
        {"room_id": "room-a", "name": "Room A", "hourly_rate": 2000},
        {"room_id": "room-b", "name": "Live Room", "hourly_rate": 3500},
    ],
}
# libphonenumber (and so the API) rejects Ofcom's drama range 07700 900xxx as invalid.
DEMO_CUSTOMERS = [
    {"name": "Ada Lovelace", "email": "ada@example.com", "mobile": "+447400900123"},
    {"name": "Brian Eno", "email": "brian@example.com", "mobile": "+447400900456"},
    {"name": "Delia Derbyshire", "email": "delia@example.com", "mobile": "+447400900789"},
    {"name": "Kate Bush", "email": "kate@example.com", "mobile": "+447400900234"},
    {"name": "Joe Meek", "email": "joe@example.com", "mobile": "+447400900567"},
]


class _QuietHandler(WSGIRequestHandler):
    """The gateway prints its own access log; werkzeug's would repeat it."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


@dataclass
class RunningStack:
    """A started local stack. `stop()` (or leaving a `with` block) ends all of it."""

    url: str
    aws_endpoint: str
    template: Template
    resources: Provisioned
    gateway: Gateway
    tokens: TokenIssuer
    mail: MailBox
    schedules: Schedules
    seeded: dict[str, Any] = field(default_factory=dict)
    _cleanup: ExitStack = field(default_factory=ExitStack, repr=False)

    @property
    def table_names(self) -> list[str]:
        return list(self.resources.tables.values())

    def token(
        self, studio_id: str, *, role: str | None = None, customer_id: str | None = None
    ) -> str:
        """An ID token, as POST /_local/token gives."""
        return self.tokens.issue(studio_id, role=role, customer_id=customer_id).token

    def stop(self) -> None:
        """Stop the HTTP server, pollers, timers and mail watcher; leave moto if last."""
        self._cleanup.close()

    def __enter__(self) -> RunningStack:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def start(
    template_path: str | Path = DEFAULT_TEMPLATE,
    port: int = 0,
    seed: bool = False,
    *,
    stack_name: str = DEFAULT_STACK_NAME,
    parameters: Mapping[str, str] | None = None,
    time_scale: float = 1.0,
    echo_mail: bool = True,
    access_log: bool = True,
) -> RunningStack:
    """Start the local stack for a template; port 0 picks a free one.

    `time_scale` speeds up the schedules' clock (for tests); `parameters` override the
    template's parameter defaults.
    """
    cleanup = ExitStack()
    try:
        return _start(
            cleanup,
            Path(template_path),
            port,
            seed,
            stack_name=stack_name,
            parameters=parameters,
            time_scale=time_scale,
            echo_mail=echo_mail,
            access_log=access_log,
        )
    except BaseException:
        cleanup.close()
        raise


def _start(
    cleanup: ExitStack,
    template_path: Path,
    port: int,
    seed: bool,
    *,
    stack_name: str,
    parameters: Mapping[str, str] | None,
    time_scale: float,
    echo_mail: bool,
    access_log: bool,
) -> RunningStack:
    endpoint = acquire_moto()
    cleanup.callback(release_moto)
    template = Template(template_path, stack_name=stack_name, parameters=parameters)
    mail = MailBox(echo=echo_mail)
    resources = provision(template, endpoint)

    functions = Functions(template.function_spec(fid) for fid in template.function_ids())
    functions.open()
    cleanup.callback(functions.close)
    _warm_up(functions)

    tokens = TokenIssuer(list(resources.user_pools.values()), endpoint)
    schedules = Schedules(template.schedule_specs(), functions, time_scale=time_scale)
    routes = template.route_specs()
    authorizers = {
        spec: JwtAuthorizer(spec, jwks_url(endpoint, spec.issuer))
        for spec in {route.authorizer for route in routes if route.authorizer is not None}
    }
    local_routes = LocalRoutes(
        tokens=tokens,
        mail=mail,
        schedules=schedules,
        openapi=lambda: _openapi(template, functions),
    )
    gateway = Gateway(routes, functions, authorizers, local_routes, access_log=access_log)

    server = make_server("127.0.0.1", port, gateway, threaded=True, request_handler=_QuietHandler)
    _serve_in_thread(server, cleanup)

    watcher = MailWatcher(mail)
    watcher.start()
    cleanup.callback(watcher.stop)
    for source in template.queue_source_specs():
        if not source.enabled:
            continue
        queue_url = resources.queue_urls.get(source.queue_arn)
        if queue_url is None:
            print(f"[sqs] {source.function_id}: {source.queue_arn} is not a queue of this template")
            continue
        poller = QueuePoller(source, queue_url, functions, endpoint)
        poller.start()
        cleanup.callback(poller.stop)
    schedules.start()
    cleanup.callback(schedules.stop)

    stack = RunningStack(
        url=f"http://127.0.0.1:{server.server_port}",
        aws_endpoint=endpoint,
        template=template,
        resources=resources,
        gateway=gateway,
        tokens=tokens,
        mail=mail,
        schedules=schedules,
        _cleanup=cleanup,
    )
    if seed:
        stack.seeded = seed_demo_studio(stack)
    return stack


def _openapi(template: Template, functions: Functions) -> dict[str, Any]:
    # Imported here so that `python -m local.openapi` does not import itself twice.
    from local.openapi import openapi_document

    return openapi_document(template, functions)


def _serve_in_thread(server: BaseWSGIServer, cleanup: ExitStack) -> None:
    thread = threading.Thread(target=server.serve_forever, name="http", daemon=True)
    thread.start()

    def stop_server() -> None:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()

    cleanup.callback(stop_server)


def _warm_up(functions: Functions) -> None:
    """Import every function now, so that a broken one shows at start-up, not at first use."""
    for spec in functions.specs():
        try:
            functions.handler(spec.logical_id)
        except FunctionLoadError as error:
            cause = error.__cause__
            reason = f" ({type(cause).__name__}: {cause})" if cause else ""
            print(f"[lambda] {error}{reason}; its routes answer 500 until it imports")


def seed_demo_studio(stack: RunningStack) -> dict[str, Any]:
    """Make the demo studio through the real API, in-process, as its owner would.

    A route that is not built yet (404) is passed over. A customer that exists already
    (409) counts as seeded, so that seeding twice does no harm.
    """
    token = stack.token(DEMO_STUDIO_ID, role="owner")
    stack.token(DEMO_STUDIO_ID, role="staff")  # a staff member too, in the staff pool
    client = Client(stack.gateway)
    headers = {"Authorization": f"Bearer {token}"}
    studio = client.patch("/studio", json=DEMO_STUDIO, headers=headers)
    customers = []
    for customer in DEMO_CUSTOMERS:
        answer = client.post("/customers", json=customer, headers=headers)
        if answer.status_code in (200, 201, 409):
            customers.append(customer["email"])
        elif answer.status_code != 404:
            print(f"[seed] POST /customers {customer['email']}: {answer.status_code}")
    outcome = {"studio_id": DEMO_STUDIO_ID, "studio": studio.status_code, "customers": customers}
    print(
        f"[seed] {DEMO_STUDIO_ID}: PATCH /studio {studio.status_code}, "
        f"{len(customers)} of {len(DEMO_CUSTOMERS)} customers"
    )
    return outcome
