"""deploy/k8s and the Containerfile say what the services really need.

(The manifests' schema is checked by `make validate-kubernetes`, kubernetes-validate in .venv-tools;
these tests check what a schema cannot: nothing as root, every secret from the Secret, probes
on paths the services serve, the image built by the script `make install` runs.)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sanic import Sanic

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
Sanic.test_mode = True


def documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def manifests() -> list[dict[str, Any]]:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    return [doc for name in kustomization["resources"] for doc in documents(K8S / name)]


def pod_specs() -> Iterator[tuple[str, dict[str, Any]]]:
    for doc in manifests():
        spec = doc.get("spec", {})
        if doc["kind"] == "CronJob":
            spec = spec["jobTemplate"]["spec"]
        if "template" in spec:
            yield doc["metadata"]["name"], spec["template"]["spec"]


def test_the_kustomization_lists_every_manifest_but_the_secret_example() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text(encoding="utf-8"))
    on_disk = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml", "secret.example.yaml"}
    assert set(kustomization["resources"]) == on_disk
    kinds = {doc["kind"] for doc in manifests()}
    assert {"Deployment", "Service", "CronJob", "Job", "Ingress", "ConfigMap"} <= kinds
    assert "Secret" not in kinds


def test_nothing_runs_as_root_nor_may_become_it() -> None:
    specs = dict(pod_specs())
    assert set(specs) >= {
        "carpimko-rasa",
        "carpimko-actions",
        "carpimko-portal",
        "carpimko-console",
        "carpimko-webdemo",
        "carpimko-purge",
        "carpimko-migrate",
    }
    for name, spec in specs.items():
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["runAsUser"] != 0, name
        assert spec["automountServiceAccountToken"] is False, name
        for container in spec.get("initContainers", []) + spec["containers"]:
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, name
            assert context["readOnlyRootFilesystem"] is True, name
            assert context["capabilities"]["drop"] == ["ALL"], name
            assert container["resources"]["requests"]["memory"], name
            assert container["resources"]["limits"]["memory"], name


def test_secrets_come_from_the_secret_and_every_key_is_in_the_example() -> None:
    example = documents(K8S / "secret.example.yaml")[0]["stringData"]
    config = next(d for d in manifests() if d["kind"] == "ConfigMap")["data"]
    secret_names = set(example)
    assert not secret_names & set(config), "a secret in the ConfigMap"
    for name, spec in pod_specs():
        for container in spec.get("initContainers", []) + spec["containers"]:
            for env in container.get("env", []):
                if "value" in env:
                    assert env["name"] not in secret_names, (name, env["name"])
                    assert not re.search(r"(?i)secret|token|password|key", env["name"]), env
                else:
                    ref = env["valueFrom"]["secretKeyRef"]
                    assert ref["name"] == "carpimko-secrets" and ref["key"] in example, env


def health_paths() -> dict[str, str]:
    """The path each service's readiness probe reads."""
    paths = {}
    for name, spec in pod_specs():
        probe = spec["containers"][0].get("readinessProbe")
        if probe:
            paths[name] = probe["httpGet"]["path"]
            assert spec["containers"][0]["livenessProbe"]["httpGet"]["path"] == paths[name]
    return paths


@pytest.mark.parametrize(
    ("deployment", "factory"),
    [
        ("carpimko-portal", "portal.app:create_app"),
        ("carpimko-console", "console.app:create_app"),
        ("carpimko-webdemo", "webdemo.app:create_app"),
        ("carpimko-actions", "actions.server:create_action_app"),
    ],
)
def test_probes_read_a_route_the_service_serves(deployment: str, factory: str) -> None:
    import importlib

    module, name = factory.split(":")
    create = getattr(importlib.import_module(module), name)
    app = create("token") if name == "create_action_app" else create()
    path = health_paths()[deployment]
    assert any(f"/{route.path}".rstrip("/") == path for route in app.router.routes), path


def test_rasa_probe_is_the_rest_channel_root() -> None:
    """GET / is the health check of the Rasa server (README's table)."""
    assert health_paths()["carpimko-rasa"] == "/"


def test_the_image_installs_with_the_script_make_runs_and_bases_by_digest() -> None:
    containerfile = (ROOT / "Containerfile").read_text(encoding="utf-8")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "scripts/install-venv.sh" in containerfile
    assert re.search(r"^\$\(STAMP\):.*\n.*scripts/install-venv\.sh", makefile, re.M)
    images = re.findall(r"^ARG \w+_IMAGE=(\S+)", containerfile, re.M)
    assert images and all(re.search(r"@sha256:[0-9a-f]{64}$", image) for image in images)
    assert re.search(r"^USER 10001", containerfile, re.M)
