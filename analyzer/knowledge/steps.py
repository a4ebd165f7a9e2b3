"""Remediation steps as templates, filled with the VM's own values.

A step may name a value in braces, with the generic wording to use when the bundle does not have it::

    Unfreeze `{mount|the file system named in the evidence}` (fsfreeze -u {mount|MOUNT}) ...

The values (``values_for``) are the named groups the diagnosis's signatures captured (``(?P<mount>...)``),
the facts (by name), and what follows from the distribution (``DERIVED``: the agent's service and package, the
package manager's commands). Commands are written in backticks; renderers show them as code.

>>> fill("Restart the agent: `{restart_agent|systemctl restart waagent}`.",
...      {"restart_agent": "systemctl restart walinuxagent"})
'Restart the agent: `systemctl restart walinuxagent`.'
>>> fill("Unfreeze {mount|the mount in the evidence}.", {})
'Unfreeze the mount in the evidence.'
>>> derived({"os_distro": "ubuntu", "os_version": "22.04"})["update_agent"]
'sudo apt-get update && sudo apt-get install --only-upgrade walinuxagent'
"""
from __future__ import annotations

import re
from typing import Any, Iterable

PLACEHOLDER = re.compile(r"\{(\w+)(?:\|([^{}]*))?\}")
DERIVED = ("agent_service", "agent_package", "restart_agent", "update_agent", "agent_status", "agent_journal")

_APT = {"ubuntu", "debian"}
_ZYPPER = {"sles", "sled", "suse", "opensuse", "opensuse-leap", "sles_sap"}
_TDNF = {"azurelinux", "mariner", "cbl-mariner"}
_DNF = {"fedora", "almalinux", "rocky", "rhel", "redhat", "centos", "ol", "oracle", "ol8", "ol9"}


def check(where: str, steps: Iterable[str]) -> list[str]:
    """The problems of ``steps`` as templates: every value needs its generic wording (``{name|wording}``)."""
    return [f"{where}: remediation: {{{m[1]}}} needs the wording to use without a value: {{{m[1]}|...}}"
            for step in steps for m in PLACEHOLDER.finditer(step) if m[2] is None]


def fill(step: str, values: dict[str, Any]) -> str:
    """``step`` with each ``{name|wording}`` replaced by the value of ``name``, or by its wording."""
    return PLACEHOLDER.sub(lambda m: str(values[m[1]]) if values.get(m[1]) not in (None, "") else (m[2] or ""),
                           step)


def derived(facts: dict[str, Any]) -> dict[str, str]:
    """Values that follow from the distribution: the Linux agent's service and package and the commands to
    restart and update it; empty when the distribution is unknown."""
    distro = str(facts.get("os_distro") or "").lower()
    if not distro:
        return {}
    major = _major(facts.get("os_version"))
    service = "walinuxagent" if distro in _APT else "waagent"
    if distro in _APT:
        package, update = "walinuxagent", "sudo apt-get update && sudo apt-get install --only-upgrade walinuxagent"
    elif distro in _ZYPPER:
        package = "python3-azure-agent" if major is None or major >= 15 else "python-azure-agent"
        update = f"sudo zypper refresh && sudo zypper update {package}"
    elif distro in _TDNF:
        package, update = "WALinuxAgent", "sudo tdnf update WALinuxAgent"
    elif distro in _DNF:
        tool = "yum" if major is not None and major < 8 else "dnf"
        package, update = "WALinuxAgent", f"sudo {tool} update WALinuxAgent"
    else:
        return {}
    return {"agent_service": service, "agent_package": package, "restart_agent": f"sudo systemctl restart {service}",
            "update_agent": update, "agent_status": f"systemctl status {service}",
            "agent_journal": f"journalctl -u {service} --since -2d"}


def values_for(evidence_values: Iterable[dict[str, str]], facts: dict[str, Any]) -> dict[str, Any]:
    """All the values a diagnosis's steps may use: captured groups first (the first evidence's win), then facts,
    then what the distribution implies."""
    values: dict[str, Any] = {**derived(facts), **{k: v for k, v in facts.items() if v not in (None, "")}}
    for captured in reversed(list(evidence_values)):
        values.update({k: v for k, v in captured.items() if v})
    return values


def _major(version: Any) -> int | None:
    match = re.match(r"\s*(\d+)", str(version or ""))
    return int(match[1]) if match else None
