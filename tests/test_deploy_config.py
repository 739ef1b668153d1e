"""The class hub's configuration without starting it (runs anywhere, root or not).

deploy/jupyterhub_config.py is executed the way JupyterHub executes it, with a traitlets Config;
deploy/hubctl.py's name rule and roster reader are called directly; the Helm values file is
parsed. tests/test_hub.py starts the real thing.
"""
from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from tornado import web
from traitlets.config import Config

REPO = Path(__file__).resolve().parents[1]
DEPLOY = REPO / "deploy"


def hubctl():
    spec = importlib.util.spec_from_file_location("hubctl", DEPLOY / "hubctl.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_hub_config(monkeypatch, tmp_path, **env):
    exchange = tmp_path / "exchange"
    exchange.mkdir(exist_ok=True)
    os.chmod(exchange, 0o1777)
    defaults = {"FFNN_COURSE_DIR": "/home/teach/ffnn", "FFNN_INSTRUCTOR": "teach",
                "FFNN_EXCHANGE": str(exchange), "FFNN_PREFIX": "/opt/x", "FFNN_HUB_PORT": "8790"}
    for key, value in {**defaults, **env}.items():
        monkeypatch.setenv(key, value)
    config = Config()
    namespace = {"get_config": lambda: config, "__file__": str(DEPLOY / "jupyterhub_config.py")}
    exec(compile((DEPLOY / "jupyterhub_config.py").read_text(), "jupyterhub_config.py", "exec"), namespace)
    return config, exchange


def spawn_environment(config, name):
    spawner = SimpleNamespace(user=SimpleNamespace(name=name), environment={}, notebook_dir="")
    config.Spawner.pre_spawn_hook(spawner)
    return spawner


def test_students_get_the_student_view_and_the_instructor_the_course(monkeypatch, tmp_path):
    config, exchange = load_hub_config(monkeypatch, tmp_path)
    student = spawn_environment(config, "ada")
    assert student.environment["JUPYTER_CONFIG_PATH"] == "/opt/x/etc/ffnn/student"
    assert student.environment["FFNN_EXCHANGE"] == str(exchange)
    assert "FFNN_COURSE_DIR" not in student.environment and student.notebook_dir == ""
    teacher = spawn_environment(config, "teach")
    assert teacher.environment["JUPYTER_CONFIG_PATH"] == "/opt/x/etc/ffnn/instructor:/opt/x/etc/ffnn/student"
    assert teacher.notebook_dir == teacher.environment["FFNN_COURSE_DIR"] == "/home/teach/ffnn"
    # the hub's own API and the proxy's API stay on loopback whatever the public address
    assert config.JupyterHub.hub_bind_url == "http://127.0.0.1:8791"
    assert config.ConfigurableHTTPProxy.api_url == "http://127.0.0.1:8792"


@pytest.mark.parametrize("mode, expected", [(0o755, "has mode 0755"), (0o777, "has mode 0777")])
def test_a_server_is_refused_on_a_broken_exchange(monkeypatch, tmp_path, mode, expected):
    config, exchange = load_hub_config(monkeypatch, tmp_path)
    os.chmod(exchange, mode)
    with pytest.raises(web.HTTPError) as err:
        spawn_environment(config, "ada")
    assert expected in err.value.jupyterhub_message and f"chmod 1777 {exchange}" in err.value.jupyterhub_message
    exchange.rmdir()
    with pytest.raises(web.HTTPError) as err:
        spawn_environment(config, "ada")
    assert "is missing" in err.value.jupyterhub_message


@pytest.mark.parametrize("auth, cls", [("firstuse", "firstuseauthenticator.FirstUseAuthenticator"),
                                       ("native", "native"), ("none", "null")])
def test_authenticators(monkeypatch, tmp_path, auth, cls):
    roster = tmp_path / "roster.txt"
    roster.write_text("# class of 2027\nada\n\nbob\n")
    config, _ = load_hub_config(monkeypatch, tmp_path, FFNN_AUTH=auth, FFNN_ROSTER=str(roster))
    assert config.JupyterHub.authenticator_class == cls
    assert config.Authenticator.allowed_users == {"ada", "bob", "teach"}
    assert config.Authenticator.admin_users == {"teach"}


def test_unknown_authenticator_is_refused(monkeypatch, tmp_path):
    with pytest.raises(ValueError, match="expected firstuse, native, lti or none"):
        load_hub_config(monkeypatch, tmp_path, FFNN_AUTH="ldap")


def test_lti_reads_the_lms_registration(monkeypatch, tmp_path):
    config, _ = load_hub_config(monkeypatch, tmp_path, FFNN_AUTH="lti", FFNN_LTI_ISSUER="https://lms.example",
                                FFNN_LTI_CLIENT_ID="a,b", FFNN_LTI_AUTHORIZE_URL="https://lms.example/auth",
                                FFNN_LTI_JWKS_URL="https://lms.example/jwks")
    assert config.LTI13Authenticator.client_id == {"a", "b"}
    assert config.LTI13Authenticator.issuer == "https://lms.example"


@pytest.mark.parametrize("name", ["ada", "_svc", "student-07", "a" * 32])
def test_safe_names_pass(name):
    assert hubctl().check_name(name) == name


@pytest.mark.parametrize("name", ["Ada", "7ada", "ada.b", "../etc", "ada+1", "ann*", "a b", "", "a" * 33])
def test_unsafe_names_are_refused_naming_the_rule(name):
    with pytest.raises(SystemExit, match="is not a safe Unix user name: expected 1-32 characters"):
        hubctl().check_name(name)


def test_roster_skips_comments_and_blank_lines(tmp_path):
    roster = tmp_path / "roster"
    roster.write_text("# a comment\nada\n\n  bob  \n")
    assert hubctl().read_roster(str(roster)) == ["ada", "bob"]
    assert hubctl().read_roster((DEPLOY / "roster.example").as_posix()) == ["ada", "bob", "cy"]


def test_helm_values_use_the_same_views_and_names():
    values = yaml.safe_load((DEPLOY / "z2jh-values.yaml").read_text())
    hook = values["hub"]["extraConfig"]["ffnn-views.py"]
    compile(hook, "ffnn-views.py", "exec")
    assert "etc/ffnn" in hook and "/student" in hook and "/instructor" in hook
    assert values["hub"]["config"]["Authenticator"]["username_pattern"] == hubctl().SAFE_NAME.pattern.join("^$")
    assert {p.name for p in (DEPLOY / "jupyter").iterdir()} == {"student", "instructor"}
