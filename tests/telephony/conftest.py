"""Fixtures of the telephony tests: the fake AMI server, recordings, and the web client's."""
from tests.fakes.ami_server import ami_recordings, ami_server  # noqa: F401
from tests.web.conftest import client, departments, keys  # noqa: F401
