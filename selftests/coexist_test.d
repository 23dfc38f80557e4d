coexist_test: coexist_test.c lib/apic.h lib/guest.h lib/vm.h \
 lib/harness.h lib/kvm_util.h /work/wt/share/include/x86_defs.h \
 lib/kmsg.h lib/kvm_util.h lib/status.h lib/util.h lib/vm.h
lib/apic.h:
lib/guest.h:
lib/vm.h:
lib/harness.h:
lib/kvm_util.h:
/work/wt/share/include/x86_defs.h:
lib/kmsg.h:
lib/kvm_util.h:
lib/status.h:
lib/util.h:
lib/vm.h:
