// SPDX-License-Identifier: GPL-2.0
/*
 * vm_holder: create a VM, print "ready", and keep it until told to stop: SIGTERM/SIGINT/SIGHUP,
 * or (--until-eof) the end of stdin. run_l1.sh uses it to hold a VM open in the background
 * while it checks that `rmmod vmxmon` is refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f, "usage: vm_holder [--dev PATH] [--until-eof]\n"
		   "  --dev PATH    device (default: /dev/vmxmon)\n"
		   "  --until-eof   hold until stdin ends (default: until SIGTERM/SIGINT/SIGHUP)\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "until-eof", no_argument, NULL, 'e' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dev = "/dev/vmxmon";
	bool until_eof = false;
	sigset_t stop;
	int c, fd, vm, sig;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd') {
			dev = optarg;
		} else if (c == 'e') {
			until_eof = true;
		} else {
			usage(c == 'h' ? stdout : stderr);
			return c == 'h' ? 0 : 2;
		}
	}
	/* Block the stop signals first, so one sent right after "ready" is not lost. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop, NULL);

	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "vm_holder: %s: %s\n", dev, strerror(errno));
		return 1;
	}
	vm = ioctl(fd, KVM_CREATE_VM, 0UL);
	if (vm < 0) {
		fprintf(stderr, "vm_holder: %s: KVM_CREATE_VM: %s\n", dev, strerror(errno));
		return 1;
	}
	printf("ready\n");
	fflush(stdout);

	if (until_eof) {
		char buf[256];

		for (;;) {
			ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

			if (n == 0 || (n < 0 && errno != EINTR))
				break;
		}
	} else {
		sigwait(&stop, &sig);
	}
	close(vm);
	close(fd);
	return 0;
}
