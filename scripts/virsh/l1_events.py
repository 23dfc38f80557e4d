# SPDX-License-Identifier: GPL-2.0
"""l1_events.py URI DOMAIN OUT: with Debian's libvirt-python, register for DOMAIN's lifecycle
events (virConnectDomainEventRegisterAny) and append each one to OUT as "EVENT DETAIL"
(libvirt's virDomainEventType and its detail, as numbers), after a first line "registered",
until killed."""
import sys
import libvirt

uri, name, out = sys.argv[1:4]
libvirt.virEventRegisterDefaultImpl()
conn = libvirt.open(uri)
f = open(out, "a")


def lifecycle(conn, dom, event, detail, opaque):
    f.write("%d %d\n" % (event, detail))
    f.flush()


conn.domainEventRegisterAny(conn.lookupByName(name), libvirt.VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                            lifecycle, None)
f.write("registered\n")
f.flush()
while True:
    libvirt.virEventRunDefaultImpl()
