// SPDX-License-Identifier: GPL-2.0
/*
 * modload PATH: load a kernel module with exactly one finit_module() call. busybox insmod
 * retries a failed finit_module() with init_module(), which runs the module's init twice and
 * doubles its log lines; run_l1.sh counts those lines, so it loads vmxmon with this instead.
 * On failure prints "modload: PATH: <strerror> (<ERRNO NAME>)" and exits 1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int fd, err;

	if (argc != 2) {
		fprintf(stderr, "usage: modload PATH\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0 || syscall(SYS_finit_module, fd, "", 0)) {
		err = errno;
		fprintf(stderr, "modload: %s: %s (%s)\n", argv[1], strerror(err), strerrorname_np(err));
		return 1;
	}
	close(fd);
	return 0;
}
