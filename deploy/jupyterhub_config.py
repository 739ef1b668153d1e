"""JupyterHub configuration of a class on one machine (docs/deploy.md); started by `make hub`.

One instructor and a class of students, each a system user with their own single-user server
(LocalProcessSpawner), all running the course environment installed once in FFNN_PREFIX.
Students get the student view (deploy/jupyter/student: Assignments tab on the class exchange,
no instructor tools); the instructor gets the formgrader and Create Assignment in their own
server, whose root is the course directory. JupyterHub's rule against framing single-user pages
(frame-ancestors 'none') is kept: the instructor opens /user/<instructor>/formgrader in a tab of
its own (docs/deploy.md). Grading runs in the instructor's server through nbgrader with the
course's nbgrader_config.py, sandbox included.

Everything is set by environment variables (deploy/hubctl.py sets the paths):
    FFNN_PREFIX, FFNN_STATE_DIR, FFNN_EXCHANGE, FFNN_COURSE_DIR, FFNN_INSTRUCTOR
    FFNN_HUB_IP (127.0.0.1), FFNN_HUB_PORT (8000); the hub's API and the proxy's API listen on
    the next two ports, on 127.0.0.1
    FFNN_ROSTER   a file with one student login per line (the class list)
    FFNN_AUTH     firstuse (default: each listed user sets a password at first login), native,
                  lti (docs/deploy.md), or none (API tokens only, for the loopback test)
    FFNN_HUB_API_TOKEN  an API token of an admin service, for scripts and the loopback test
"""
import os
import sys
from pathlib import Path

from tornado import web

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hubctl import SAFE_NAME  # noqa: E402  (the one rule for user names, beside this file)

c = get_config()  # noqa: F821  (provided by traitlets when JupyterHub loads this file)

env = os.environ
prefix = Path(env.get("FFNN_PREFIX", "/opt/ffnn"))
state = Path(env.get("FFNN_STATE_DIR", "/srv/ffnn/hub"))
exchange = env.get("FFNN_EXCHANGE", "/srv/nbgrader/exchange")
course = env["FFNN_COURSE_DIR"]
instructor = env.get("FFNN_INSTRUCTOR", "instructor")
ip, port = env.get("FFNN_HUB_IP", "127.0.0.1"), int(env.get("FFNN_HUB_PORT", "8000"))
views = prefix / "etc" / "ffnn"

# ---- network: the public proxy port, the hub API and the proxy API on loopback only -----------
c.JupyterHub.bind_url = f"http://{ip}:{port}/"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{port + 1}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{port + 2}"
c.ConfigurableHTTPProxy.command = [str(prefix / "node" / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")

# ---- users ---------------------------------------------------------------------------------
# the names hubctl.py accepts: safe as Unix logins and as nbgrader student ids
c.Authenticator.username_pattern = f"^{SAFE_NAME.pattern}$"
c.Authenticator.admin_users = {instructor}
roster = env.get("FFNN_ROSTER")
students = set()
if roster and Path(roster).is_file():
    students = {line.strip() for line in Path(roster).read_text().splitlines()
                if line.strip() and not line.startswith("#")}
c.Authenticator.allowed_users = students | {instructor}

auth = env.get("FFNN_AUTH", "firstuse")
if auth == "firstuse":
    c.JupyterHub.authenticator_class = "firstuseauthenticator.FirstUseAuthenticator"
    c.FirstUseAuthenticator.dbm_path = str(state / "passwords.dbm")
    c.FirstUseAuthenticator.create_users = False    # only the class list may log in
    c.FirstUseAuthenticator.min_password_length = 10
elif auth == "native":   # pip install jupyterhub-nativeauthenticator into FFNN_PREFIX first
    c.JupyterHub.authenticator_class = "native"
    c.NativeAuthenticator.open_signup = False
elif auth == "lti":      # pip install jupyterhub-ltiauthenticator into FFNN_PREFIX; docs/deploy.md
    c.JupyterHub.authenticator_class = "ltiauthenticator.lti13.auth.LTI13Authenticator"
    c.LTI13Authenticator.issuer = env["FFNN_LTI_ISSUER"]
    c.LTI13Authenticator.client_id = set(env["FFNN_LTI_CLIENT_ID"].split(","))
    c.LTI13Authenticator.authorize_url = env["FFNN_LTI_AUTHORIZE_URL"]
    c.LTI13Authenticator.jwks_endpoint = env["FFNN_LTI_JWKS_URL"]
    # the claim that holds the LMS login: it must be the roster's (safe Unix) name of the student
    c.LTI13Authenticator.username_key = env.get("FFNN_LTI_USERNAME_KEY", "preferred_username")
elif auth == "none":     # API tokens only: nobody can log in with a password
    c.JupyterHub.authenticator_class = "null"
else:
    raise ValueError(f"FFNN_AUTH={auth!r}: expected firstuse, native, lti or none")

if env.get("FFNN_HUB_API_TOKEN"):
    c.JupyterHub.services = [{"name": "ffnn-admin", "api_token": env["FFNN_HUB_API_TOKEN"]}]
    c.JupyterHub.load_roles = [{
        "name": "ffnn-admin",
        "scopes": ["admin:users", "admin:servers", "tokens", "list:users", "read:users"],
        "services": ["ffnn-admin"],
    }]

# ---- the single-user servers ---------------------------------------------------------------
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(prefix / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120   # a loaded 2-core machine starts a JupyterLab in 5-20 s
c.Spawner.http_timeout = 120


def check_exchange():
    """nbgrader's own message for a broken exchange says it "does not exist" even when only its
    permissions are wrong; say what is wrong before a server starts on it."""
    try:
        mode = os.stat(exchange).st_mode & 0o7777
    except FileNotFoundError:
        problem = (f"the class exchange {exchange} is missing: the hub's administrator must run "
                   "`python3 deploy/hubctl.py install` (it creates it, mode 1777)")
    else:
        if mode & 0o1777 == 0o1777:
            return
        problem = (f"the class exchange {exchange} has mode {mode:04o}, but every student must be able "
                   f"to write into it (1777): the hub's administrator must run `chmod 1777 {exchange}` "
                   "or `python3 deploy/hubctl.py install`")
    error = web.HTTPError(503, problem)
    error.jupyterhub_message = problem   # shown on the spawn page and in the API's answer
    raise error


def per_user_view(spawner):
    """The student view for everyone; the instructor's adds the instructor tools and the course."""
    name = spawner.user.name
    if not SAFE_NAME.fullmatch(name):
        raise ValueError(f"{name!r} is not a safe Unix user name")
    check_exchange()
    spawner.environment.update({
        "FFNN_EXCHANGE": exchange,
        "JUPYTER_CONFIG_PATH": str(views / "student"),
        "PATH": f"{prefix / 'bin'}:/usr/local/bin:/usr/bin:/bin",
    })
    if name == instructor:
        spawner.environment["JUPYTER_CONFIG_PATH"] = f"{views / 'instructor'}:{views / 'student'}"
        spawner.environment["FFNN_COURSE_DIR"] = course
        spawner.notebook_dir = course   # the formgrader needs the course inside the server's root


c.Spawner.pre_spawn_hook = per_user_view
