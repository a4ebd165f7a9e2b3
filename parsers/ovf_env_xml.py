"""``/var/lib/waagent/ovf-env.xml``: the provisioning document the VM was created with.

Declares ``SPECS`` (ovf_env_xml).

It holds the admin user's password (masked by the agent, but not always),
SSH keys and CustomData: none of those is read. Only a fixed list of
harmless settings becomes records, one ``<Setting>=<value>`` per element at
its line: ConfigurationSetType, HostName, DisableSshPasswordAuthentication,
KmsServerHostname, ProvisionGuestAgent, GuestAgentPackageName,
PreprovisionedVm, PreprovisionedVMType. Facts: ``hostname`` and
``provision_guest_agent`` (False when the VM was created without the agent).

Sample input::

    <?xml version="1.0" encoding="utf-8"?>
    <Environment xmlns="http://schemas.dmtf.org/ovf/environment/1" xmlns:wa="http://schemas.microsoft.com/windowsazure">
      <wa:ProvisioningSection>
        <LinuxProvisioningConfigurationSet xmlns="http://schemas.microsoft.com/windowsazure">
          <ConfigurationSetType>LinuxProvisioningConfiguration</ConfigurationSetType>
          <HostName>backup-vm01</HostName>
          <UserName>azureuser</UserName>
          <UserPassword>*</UserPassword>
        </LinuxProvisioningConfigurationSet>
      </wa:ProvisioningSection>
      <wa:PlatformSettingsSection>
        <wa:PlatformSettings>
          <wa:ProvisionGuestAgent>true</wa:ProvisionGuestAgent>
        </wa:PlatformSettings>
      </wa:PlatformSettingsSection>
    </Environment>
"""
from __future__ import annotations

from typing import BinaryIO, Iterator

from lxml import etree

from azlog_vmbackup.core.model import OS, Record
from azlog_vmbackup.parsers import xml_safe
from azlog_vmbackup.parsers.base import ParseContext, Spec

SPECS: tuple[Spec, ...] = (
    Spec("ovf_env_xml", r"ovf-env\.xml", os=OS.LINUX),
)

SETTINGS = frozenset(("ConfigurationSetType", "HostName", "DisableSshPasswordAuthentication",
                      "KmsServerHostname", "ProvisionGuestAgent", "GuestAgentPackageName",
                      "PreprovisionedVm", "PreprovisionedVMType"))
_BOOLEANS = {"true": True, "false": False}


def parse(stream: BinaryIO, ctx: ParseContext) -> Iterator[Record]:
    """Yield one record per listed setting present; set ``hostname`` and ``provision_guest_agent``.

    >>> ctx = context('var/lib/waagent/ovf-env.xml')
    >>> doc = b'<Environment><HostName>vm9</HostName><UserPassword>secret</UserPassword></Environment>'
    >>> [r.message for r in parse(io.BytesIO(doc), ctx)], ctx.facts.value('hostname')
    (['HostName=vm9'], 'vm9')
    """
    root = xml_safe.load(stream, ctx)
    if root is None:
        return
    if etree.QName(root).localname != "Environment":
        ctx.problem(f"unexpected root element <{etree.QName(root).localname}> in an ovf-env document")
        return
    for element in root.iter(etree.Element):
        name = etree.QName(element).localname
        if name not in SETTINGS:
            continue
        value = (element.text or "").strip() or "absent"
        line = element.sourceline or 1
        _fact(name, value, line, ctx)
        yield ctx.record(line, f"{name}={value}")


def _fact(name: str, value: str, line: int, ctx: ParseContext) -> None:
    if name == "HostName" and value != "absent":
        ctx.fact("hostname", value, line=line)
    elif name == "ProvisionGuestAgent" and value.lower() in _BOOLEANS:
        ctx.fact("provision_guest_agent", _BOOLEANS[value.lower()], line=line)
