/*
 * memfd_create (memfd_create(2)): an anonymous regular file, named
 * "memfd:NAME (deleted)" in /proc/self/fd, readable, writable and mappable,
 * MFD_CLOEXEC; file seals (fcntl(2) "File Sealing"): without
 * MFD_ALLOW_SEALING the file is born with F_SEAL_SEAL; F_SEAL_SHRINK,
 * F_SEAL_GROW and F_SEAL_WRITE refuse the operations with EPERM;
 * F_SEAL_WRITE is refused with EBUSY while a shared writable mapping
 * exists. Errors: EINVAL for unknown flags and names over 249 bytes.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"

int main(void)
{
	char name[300], link[64], buf[64];
	struct stat st;
	char *m;
	int fd;
	ssize_t n;

	tap_plan(22);

	fd = memfd_create("keel-test", 0);
	tap_ok(fd >= 0, "memfd_create returns a descriptor");
	tap_ok(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0 && st.st_nlink == 0,
	       "a memfd is an empty regular file with no links");
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, sizeof(buf) - 1);
	buf[n < 0 ? 0 : n] = 0;
	tap_is_str(buf, "/memfd:keel-test (deleted)", "/proc/self/fd shows the memfd name");
	tap_ok(write(fd, "hello", 5) == 5 && pread(fd, buf, 5, 0) == 5 && memcmp(buf, "hello", 5) == 0,
	       "data written to a memfd reads back");
	ftruncate(fd, 4096);
	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	tap_ok(m != MAP_FAILED && memcmp(m, "hello", 5) == 0, "a memfd can be mapped shared");
	m[0] = 'J';
	tap_ok(pread(fd, buf, 1, 0) == 1 && buf[0] == 'J', "writes through the mapping reach the file");
	munmap(m, 4096);
	tap_is_int(fcntl(fd, F_GETFD), 0, "without MFD_CLOEXEC, FD_CLOEXEC is clear");
	tap_is_int(fcntl(fd, F_GET_SEALS), F_SEAL_SEAL, "without MFD_ALLOW_SEALING the file is sealed against sealing");
	tap_is_errno(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EPERM, "adding seals then fails with EPERM");
	close(fd);

	fd = memfd_create("sealed", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	tap_is_int(fcntl(fd, F_GETFD), FD_CLOEXEC, "MFD_CLOEXEC sets FD_CLOEXEC");
	tap_is_int(fcntl(fd, F_GET_SEALS), 0, "with MFD_ALLOW_SEALING there are no seals");
	ftruncate(fd, 8192);

	tap_is_int(fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK), 0, "F_SEAL_SHRINK can be added");
	tap_ok(ftruncate(fd, 4096) == -1 && errno == EPERM && ftruncate(fd, 12288) == 0,
	       "F_SEAL_SHRINK refuses shrinking (EPERM) but allows growing");
	fcntl(fd, F_ADD_SEALS, F_SEAL_GROW);
	tap_ok(ftruncate(fd, 16384) == -1 && errno == EPERM &&
	       pwrite(fd, "x", 1, 12288) == -1 && errno == EPERM,
	       "F_SEAL_GROW refuses ftruncate and writes beyond the end (EPERM)");
	tap_is_int(pwrite(fd, "in", 2, 100), 2, "writes inside the sealed size still work");

	m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	tap_is_errno(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY,
		     "F_SEAL_WRITE with a shared writable mapping fails with EBUSY");
	munmap(m, 4096);
	tap_is_int(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), 0, "F_SEAL_WRITE succeeds once the mapping is gone");
	tap_ok(pwrite(fd, "x", 1, 0) == -1 && errno == EPERM &&
	       mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED && errno == EPERM,
	       "F_SEAL_WRITE refuses write() and shared writable mappings (EPERM)");
	fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL);
	tap_is_int(fcntl(fd, F_GET_SEALS), F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE,
		   "F_GET_SEALS reports every seal added");
	tap_is_errno(fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE), EPERM, "after F_SEAL_SEAL no seal can be added");
	close(fd);

	memset(name, 'n', sizeof(name) - 1);
	name[250] = 0;	/* 249 is the limit: "memfd:" + name must fit NAME_MAX */
	tap_is_errno(memfd_create(name, 0), EINVAL, "a 250-byte name fails with EINVAL");
	tap_is_errno(memfd_create("x", 0x100), EINVAL, "an unknown flag fails with EINVAL");
	return tap_done();
}
