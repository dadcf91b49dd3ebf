# SPDX-License-Identifier: GPL-2.0
# The debug profile (docs/debug.md): `make run PROFILE=debug` boots a debug
# Xen (CONFIG_DEBUG=y) and a debug guest kernel (lockdep, DEBUG_VM,
# DEBUG_LIST, KFENCE, SLUB debugging, fault injection), both built from
# Debian's source packages of the configuration's versions, once, into
# $(GNTLAB_CACHE)/debug/ (images/debug/build-*.sh), and gntlab.ko built
# against that kernel's tree. Included by the Makefile after the package
# manifest; its build directory is $(B) = build/profile-debug (results in
# $(B)/results). dom0 keeps Debian's kernel.

DEBUG_DIR := images/debug
DBG_KERNEL_MK := $(B)/debug-kernel.mk
DBG_XEN_MK := $(B)/debug-xen.mk

ifneq ($(filter-out bookworm,$(GUEST_SUITE) $(XEN_SUITE)),)
$(error PROFILE=debug builds from bookworm's sources only; CONFIG=$(CONFIG) takes its guest kernel from $(GUEST_SUITE) and Xen from $(XEN_SUITE))
endif

# The versions to build: the configuration's (packages.manifest).
dbg-manifest-field = $(shell awk '$$1 == "$(1)" && $$2 ~ /$(2)/ { print $$3; exit }' $(B)/packages.manifest 2>/dev/null)
DBG_GK_VERSION = $(call dbg-manifest-field,guest,^linux-image-)
DBG_XEN_WANT = $(call dbg-manifest-field,xen,^xen-hypervisor-)
# linux-source-X.Y: the guest kernel's series.
DBG_GK_SOURCE = linux-source-$(shell echo '$(DBG_GK_VERSION)' | cut -d. -f1,2)

# include, not -include: a build that fails stops make with its own error
# (with -include make went on and said only "No rule to make target
# .../debug-xen.mk").
include $(DBG_KERNEL_MK) $(DBG_XEN_MK)

# What building Xen and Linux from source needs beyond the host's usual
# packages (kconfig's lexer and parser, objtool, the kernel's scripts).
DBG_HOST_PKGS := flex bison bc libelf-dev libssl-dev python3 perl dpkg-dev xz-utils
$(B)/.debug-host-deps: images/host-deps.sh $(DEBUG_DIR)/profile.mk
	images/host-deps.sh $@ $(DBG_HOST_PKGS)

# The builds are in the cache: if it was emptied, build again.
DBG_FORCE := $(if $(and $(DBG_GVMLINUX),$(wildcard $(DBG_GVMLINUX))),,FORCE)
DBG_XEN_FORCE := $(if $(and $(DBG_XEN_GZ),$(wildcard $(DBG_XEN_GZ))),,FORCE)
$(DBG_KERNEL_MK): $(DEBUG_DIR)/build-kernel.sh $(DEBUG_DIR)/guest-kernel.config $(B)/packages.manifest.mk $(B)/.debug-host-deps $(DBG_FORCE)
	@[ -n '$(DBG_GK_VERSION)' ] || { echo "PROFILE=debug: no guest kernel version in $(B)/packages.manifest"; exit 2; }
	$(DEBUG_DIR)/build-kernel.sh $(GNTLAB_CACHE) $(DBG_GK_SOURCE) $(DBG_GK_VERSION) $@
$(DBG_XEN_MK): $(DEBUG_DIR)/build-xen.sh $(DEBUG_DIR)/xen.config $(B)/packages.manifest.mk $(B)/.debug-host-deps $(DBG_XEN_FORCE)
	@[ -n '$(DBG_XEN_WANT)' ] || { echo "PROFILE=debug: no Xen version in $(B)/packages.manifest"; exit 2; }
	$(DEBUG_DIR)/build-xen.sh $(GNTLAB_CACHE) $(XEN_SUITE) '$(DBG_XEN_WANT)' $@

# What boots, through the bring-your-own interface (XEN=, GUEST_KERNEL=,
# KERNEL_BUILD=; staged and checked like any named build): the debug
# builds, unless the command line names others. gntlab.ko builds against
# the debug tree; the guest's drivers are that tree's modules.
ifeq ($(XEN),)
XEN := $(DBG_XEN_GZ)
endif
ifeq ($(GUEST_KERNEL),)
GUEST_KERNEL := $(DBG_GVMLINUX)
endif
ifeq ($(KERNEL_BUILD),)
KERNEL_BUILD := $(DBG_GKDIR)
endif
$(XEN_IMG): $(DBG_XEN_MK)
$(GUEST_IMG) $(B)/kmod.kbuild: $(DBG_KERNEL_MK)

# The run's manifest names the builds that ran, in place of the packages
# they replace (the packages' versions are the sources').
RUN_MANIFEST := $(B)/debug-packages.manifest
$(RUN_MANIFEST): $(B)/packages.manifest.mk $(DBG_KERNEL_MK) $(DBG_XEN_MK)
	{ awk '$$1 == "xen" { print "xen xen-debug-built-from-source $(DBG_XEN_VERSION) $(DBG_XEN_KEY)"; next } \
		$$1 == "guest" && $$2 ~ /^linux-image-/ { print "guest linux-debug-built-from-source $(DBG_GKVER) $(DBG_GKKEY)"; next } \
		$$1 == "guest" { next } { print }' $(B)/packages.manifest; \
	  echo "profile debug xen-source=$(DBG_XEN_VERSION) (wanted $(DBG_XEN_WANT)) guest-kernel-source=$(DBG_GK_SOURCE)=$(DBG_GK_VERSION)"; } > $@
$(DOM0_INITRD): $(RUN_MANIFEST)
