"""Schemathesis auth for fuzzing the auth module (loaded via SCHEMATHESIS_HOOKS).

The auth module edits accounts: a generated PATCH may change the fuzzer's own
password, roles or active flag (or another admin's), or DELETE it. So the
fuzzer signs in as an admin of its own, and whenever that sign-in fails it
creates a fresh admin with the CLI (`frontline user create`), which works
whatever the fuzzer did to the accounts it knows. It also loads
contract_hooks (the hooks every module runs with).
"""

import itertools
import os
import subprocess

import requests
import schemathesis

import contract_hooks  # noqa: F401  (the hooks every module runs with)

BASE = os.environ["CONTRACT_BASE"]
BIN = os.environ["CONTRACT_BIN"]
DATA = os.environ["CONTRACT_DATA"]
PASSWORD = "contract-pass-2"
LOG = os.environ.get("CONTRACT_AUTH_LOG")
_serial = itertools.count(1)
_email = ["contract-auth@example.com"]
_token = [None]


def _log(*parts):
    if LOG:
        with open(LOG, "a") as f:
            print(*parts, file=f)


def _login():
    r = requests.post(f"{BASE}/auth/login", json={"email": _email[0], "password": PASSWORD}, timeout=30)
    _log("login", _email[0], r.status_code)
    return r.json()["access_token"] if r.status_code == 200 else None


def _new_admin():
    _email[0] = f"contract-auth-{next(_serial)}@example.com"
    done = subprocess.run(
        [BIN, "user", "create", "--data-dir", DATA, "--email", _email[0], "--password", PASSWORD,
         "--name", "Contract auth fuzzer", "--role", "admin"],
        capture_output=True, text=True, timeout=120,
    )
    _log("created", _email[0], done.returncode, done.stderr[-200:])


def _still_admin(token):
    r = requests.get(f"{BASE}/auth/me", headers={"Authorization": f"Bearer {token}"}, timeout=30)
    return r.status_code == 200 and "admin" in r.json().get("roles", [])


# No time-based refresh (which cases met a stale token would depend on the
# machine's speed): before each case the token in use is checked, and replaced
# only when the fuzzer's own requests ended its session or took its admin role.
@schemathesis.auth(refresh_interval=None)
class FuzzerAdmin:
    def get(self, case, ctx):
        if _token[0] is not None and _still_admin(_token[0]):
            return _token[0]
        token = _login()
        if token is None:
            _new_admin()
            token = _login()
        _token[0] = token
        return token

    def set(self, case, data, ctx):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"
