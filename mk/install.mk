# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# make install [PREFIX=/usr/local] [DESTDIR=]: the programs, the OpenSM
# plugin, the man pages, the systemd unit and the examples. debian/rules
# runs it with PREFIX=/usr.
#
# OpenSM dlopens its event plugin by name ("lib<event_plugin_name>.so"),
# not by path, so libfabricsm.so must sit where the dynamic linker looks:
# with PREFIX=/usr that is the multiarch library directory; under another
# PREFIX it is $(PREFIX)/lib, which needs `ldconfig` (and that directory in
# /etc/ld.so.conf.d, as /usr/local/lib is on Debian) before OpenSM finds it.

PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DOCDIR ?= $(PREFIX)/share/doc/fabricd
SYSCONFDIR ?= /etc
MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
ifeq ($(PREFIX),/usr)
PLUGINDIR ?= /usr/lib/$(MULTIARCH)
UNITDIR ?= /lib/systemd/system
else
PLUGINDIR ?= $(PREFIX)/lib
UNITDIR ?= $(PREFIX)/lib/systemd/system
endif

INSTALL ?= install
MAN5 := $(wildcard docs/*.5)
MAN8 := $(wildcard docs/*.8)
EXAMPLES := examples/fabric.yaml examples/demo.yaml examples/opensm.conf

.PHONY: install uninstall
install: all
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) \
		$(DESTDIR)$(PLUGINDIR) $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(SYSCONFDIR)/fabricd
	$(Q)$(INSTALL) -m 0755 $(BUILD)/bin/fabricd $(DESTDIR)$(SBINDIR)/
	$(Q)$(INSTALL) -m 0755 $(BUILD)/bin/fabricctl $(BUILD)/bin/fabstat \
		$(DESTDIR)$(BINDIR)/
	$(Q)$(INSTALL) -m 0644 $(SM_PLUGIN) $(DESTDIR)$(PLUGINDIR)/
	$(Q)$(INSTALL) -m 0644 $(MAN5) $(DESTDIR)$(MANDIR)/man5/
	$(Q)$(INSTALL) -m 0644 $(MAN8) $(DESTDIR)$(MANDIR)/man8/
	$(Q)sed 's|/usr/sbin/fabricd|$(SBINDIR)/fabricd|; s|/etc/fabricd|$(SYSCONFDIR)/fabricd|g' \
		contrib/fabricd.service >$(DESTDIR)$(UNITDIR)/fabricd.service
	$(Q)chmod 0644 $(DESTDIR)$(UNITDIR)/fabricd.service
	$(Q)$(INSTALL) -m 0644 $(EXAMPLES) $(DESTDIR)$(DOCDIR)/examples/
	$(Q)$(INSTALL) -m 0644 README.md docs/sm-plugin.md $(DESTDIR)$(DOCDIR)/
ifneq ($(PREFIX),/usr)
	@echo "install: run ldconfig so that OpenSM finds $(PLUGINDIR)/libfabricsm.so"
endif

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/fabricd $(DESTDIR)$(BINDIR)/fabricctl \
		$(DESTDIR)$(BINDIR)/fabstat $(DESTDIR)$(PLUGINDIR)/libfabricsm.so \
		$(DESTDIR)$(UNITDIR)/fabricd.service \
		$(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(MAN5))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(MAN8)))
	rm -rf $(DESTDIR)$(DOCDIR)
