/*
 * The mount table (man 2 mount, umount2; man 5 proc): /proc/self/mountinfo
 * fields (ids, parent ids, major:minor, root inside the file system,
 * mount point, per-mount and super block options, "-", type, source),
 * the source kept as given in /proc/mounts, bind mounts of a
 * subdirectory, recursive bind mounts (MS_REC copies submounts and leaves
 * out unbindable ones), MS_MOVE of a subtree (EINVAL for a directory that
 * is not a mount, ELOOP into itself), MS_REMOUNT | MS_BIND changing only
 * one mount's flags and MS_REMOUNT the whole file system's, umount of a
 * mount with submounts (EBUSY; MNT_DETACH takes the subtree),
 * MS_PRIVATE / MS_UNBINDABLE (EINVAL for two types at once or a
 * directory that is not a mount), shared subtrees (MS_SHARED peer groups
 * shown as shared:N, a bind of a shared mount is its peer, a mount below
 * one peer appears below the others and its umount leaves them all;
 * MS_SLAVE shown as master:N receives but does not send; MS_MOVE below a
 * shared mount propagates, out of one is EINVAL), and pivot_root (EINVAL
 * on the initial rootfs and for a put_old outside new_root, EBUSY for the
 * current root, EPERM unprivileged; in a chroot on a mount it swaps the
 * two mounts, moves the caller's root and cwd, and mountinfo then shows
 * only what lies below the new root).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "tap.h"
#include "testutil.h"

#ifndef MS_UNBINDABLE
#define MS_UNBINDABLE (1 << 17)
#endif

struct minfo {
	int id, parent;
	unsigned int major, minor;
	char root[256], mp[PATH_MAX], opts[256], optional[256];
	char type[64], source[256], sopts[256];
};

static char base[1024];
static char mi_buf[65536];

static const char *P(const char *rel)
{
	static char bufs[4][PATH_MAX];
	static int i;
	char *b = bufs[i++ % 4];

	snprintf(b, PATH_MAX, "%s/%s", base, rel);
	return b;
}

static void load_from(const char *path)
{
	int fd = open(path, O_RDONLY);
	ssize_t n, len = 0;

	mi_buf[0] = '\0';
	if (fd < 0)
		return;
	while ((n = read(fd, mi_buf + len, sizeof(mi_buf) - 1 - len)) > 0)
		len += n;
	mi_buf[len] = '\0';
	close(fd);
}

static void load(void)
{
	load_from("/proc/self/mountinfo");
}

/* Parse one mountinfo line. Return: 0 or -1. */
static int parse(const char *line, struct minfo *mi)
{
	char rest[1024];
	const char *dash;
	int n = 0;

	memset(mi, 0, sizeof(*mi));
	if (sscanf(line, "%d %d %u:%u %255s %4095s %255s%n", &mi->id,
		   &mi->parent, &mi->major, &mi->minor, mi->root, mi->mp,
		   mi->opts, &n) < 7)
		return -1;
	dash = strstr(line + n, " - ");
	if (!dash)
		return -1;
	snprintf(mi->optional, sizeof(mi->optional), "%.*s",
		 (int)(dash - (line + n)), line + n);
	snprintf(rest, sizeof(rest), "%s", dash + 3);
	return sscanf(rest, "%63s %255s %255s", mi->type, mi->source,
		      mi->sopts) == 3 ? 0 : -1;
}

/* The last (topmost) mountinfo line for mount point @mp. */
static int find_mp(const char *mp, struct minfo *out)
{
	char line[2048];
	const char *s = mi_buf;
	struct minfo mi;
	int found = -1;

	while (*s) {
		size_t l = strcspn(s, "\n");

		snprintf(line, sizeof(line), "%.*s", (int)l, s);
		if (!parse(line, &mi) && !strcmp(mi.mp, mp)) {
			*out = mi;
			found = 0;
		}
		s += l + (s[l] == '\n');
	}
	return found;
}

static int find_id(int id, struct minfo *out)
{
	char line[2048];
	const char *s = mi_buf;

	while (*s) {
		size_t l = strcspn(s, "\n");

		snprintf(line, sizeof(line), "%.*s", (int)l, s);
		if (!parse(line, out) && out->id == id)
			return 0;
		s += l + (s[l] == '\n');
	}
	return -1;
}

static int has_opt(const char *opts, const char *opt)
{
	char buf[256], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", opts);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		if (!strcmp(tok, opt))
			return 1;
	return 0;
}

static dev_t dev_of(const char *path)
{
	struct stat st;

	return stat(path, &st) ? (dev_t)-1 : st.st_dev;
}

static int creat_errno(const char *path)
{
	int fd = open(path, O_CREAT | O_WRONLY, 0644);

	if (fd < 0)
		return errno;
	close(fd);
	unlink(path);
	return 0;
}

static void test_mountinfo(void)
{
	struct minfo a, parent;
	char line[PATH_MAX + 64];
	FILE *f;
	int seen = 0;

	tap_is_int(mount("src-a", P("a"), "tmpfs", MS_NOSUID, NULL), 0,
		   "mount a tmpfs with a source string and MS_NOSUID");
	load();
	tap_ok(!find_mp(P("a"), &a) && !strcmp(a.root, "/") &&
	       !strcmp(a.type, "tmpfs") && !strcmp(a.source, "src-a"),
	       "mountinfo: root /, type and source as given");
	tap_ok(has_opt(a.opts, "rw") && has_opt(a.opts, "nosuid") &&
	       has_opt(a.sopts, "rw"),
	       "mountinfo: per-mount rw,nosuid and super block rw");
	tap_ok(makedev(a.major, a.minor) == dev_of(P("a")),
	       "mountinfo: major:minor is the mount's st_dev");
	tap_ok(!find_id(a.parent, &parent) && parent.id != a.id &&
	       !strncmp(P("a"), parent.mp, strlen(parent.mp)),
	       "mountinfo: the parent id names the mount below it");
	f = fopen("/proc/mounts", "r");
	while (f && fgets(line, sizeof(line), f)) {
		char src[256], mp[PATH_MAX], type[64];

		if (sscanf(line, "%255s %4095s %63s", src, mp, type) == 3 &&
		    !strcmp(mp, P("a")))
			seen = !strcmp(src, "src-a") && !strcmp(type, "tmpfs");
	}
	if (f)
		fclose(f);
	tap_ok(seen, "/proc/mounts shows the source as given");
}

static void test_bind(void)
{
	struct minfo b, c, csub;

	mkdir(P("a/sub"), 0755);
	mkdir(P("a/sub/dir"), 0755);
	tap_is_int(mount("src-inner", P("a/sub"), "tmpfs", 0, NULL), 0,
		   "a submount on a/sub");
	mkdir(P("a/sub/dir"), 0755);
	tap_is_int(mount(P("a/sub/dir"), P("b"), NULL, MS_BIND, NULL), 0,
		   "bind a subdirectory");
	load();
	tap_ok(!find_mp(P("b"), &b) && !strcmp(b.root, "/dir") &&
	       !strcmp(b.source, "src-inner"),
	       "mountinfo: a bind's root is the directory, its source kept");
	tap_is_int(mount(P("a"), P("c"), NULL, MS_BIND | MS_REC, NULL), 0,
		   "a recursive bind");
	load();
	tap_ok(!find_mp(P("c"), &c) && !find_mp(P("c/sub"), &csub) &&
	       csub.parent == c.id && !strcmp(csub.source, "src-inner"),
	       "the recursive bind copies the submount under the copy");
	close(open(P("a/sub/file"), O_CREAT | O_WRONLY, 0644));
	tap_ok(access(P("c/sub/file"), F_OK) == 0 &&
	       dev_of(P("c/sub")) == dev_of(P("a/sub")),
	       "the copied submount shows the same file system");
	tap_is_int(mount(P("a"), P("d"), NULL, MS_BIND, NULL), 0,
		   "a plain bind of the same tree");
	tap_ok(dev_of(P("d/sub")) == dev_of(P("a")) &&
	       access(P("d/sub/file"), F_OK) != 0,
	       "a plain bind leaves the submount out");
}

static void test_move(void)
{
	dev_t inner;

	mkdir(P("m1"), 0755);
	mkdir(P("m2"), 0755);
	mount("src-move", P("m1"), "tmpfs", 0, NULL);
	mkdir(P("m1/in"), 0755);
	mkdir(P("m1/plain"), 0755);
	mount("src-move-in", P("m1/in"), "tmpfs", 0, NULL);
	inner = dev_of(P("m1/in"));
	tap_is_errno(mount(P("m1/plain"), P("m2"), NULL, MS_MOVE, NULL),
		     EINVAL, "MS_MOVE of a directory that is no mount: EINVAL");
	tap_is_errno(mount(P("m1"), P("m1/plain"), NULL, MS_MOVE, NULL),
		     ELOOP, "MS_MOVE into the moved subtree: ELOOP");
	tap_is_int(mount(P("m1"), P("m2"), NULL, MS_MOVE, NULL), 0,
		   "MS_MOVE a mount with a submount");
	tap_ok(dev_of(P("m2/in")) == inner &&
	       dev_of(P("m1")) == dev_of(base),
	       "the subtree moved along and the old place is empty");
}

static void test_remount(void)
{
	struct minfo b, a;

	tap_is_int(mount(NULL, P("b"), NULL, MS_REMOUNT | MS_BIND | MS_RDONLY,
			 NULL), 0, "MS_REMOUNT | MS_BIND | MS_RDONLY");
	tap_ok(creat_errno(P("b/f")) == EROFS &&
	       creat_errno(P("a/sub/dir/f")) == 0,
	       "only that mount became read-only");
	load();
	tap_ok(!find_mp(P("b"), &b) && has_opt(b.opts, "ro") &&
	       has_opt(b.sopts, "rw"),
	       "mountinfo: per-mount ro, super block still rw");
	tap_is_int(mount(NULL, P("a"), NULL, MS_REMOUNT | MS_RDONLY, NULL), 0,
		   "MS_REMOUNT | MS_RDONLY of the file system");
	load();
	tap_ok(creat_errno(P("d/f")) == EROFS && !find_mp(P("a"), &a) &&
	       has_opt(a.sopts, "ro"),
	       "the whole file system is read-only, in every mount");
	mount(NULL, P("a"), NULL, MS_REMOUNT, NULL);
	tap_is_int(creat_errno(P("d/f")), 0, "remount read-write again");
}

static void test_propagation(void)
{
	struct minfo a;

	tap_is_int(mount(NULL, P("a"), NULL, MS_PRIVATE | MS_REC, NULL), 0,
		   "MS_PRIVATE | MS_REC");
	tap_is_errno(mount(NULL, P("a"), NULL, MS_PRIVATE | MS_SLAVE, NULL),
		     EINVAL, "two propagation types at once: EINVAL");
	tap_is_errno(mount(NULL, P("a/sub/dir"), NULL, MS_PRIVATE, NULL),
		     EINVAL, "a directory that is no mount: EINVAL");
	tap_is_int(mount(NULL, P("a/sub"), NULL, MS_UNBINDABLE, NULL), 0,
		   "MS_UNBINDABLE");
	load();
	tap_ok(!find_mp(P("a/sub"), &a) && strstr(a.optional, "unbindable"),
	       "mountinfo shows unbindable");
	tap_is_errno(mount(P("a/sub"), P("e"), NULL, MS_BIND, NULL), EINVAL,
		     "binding an unbindable mount: EINVAL");
	tap_is_int(mount(P("a"), P("e"), NULL, MS_BIND | MS_REC, NULL), 0,
		   "a recursive bind above it");
	tap_ok(dev_of(P("e/sub")) == dev_of(P("e")),
	       "the recursive bind left the unbindable mount out");
}

static void test_umount(void)
{
	tap_is_errno(umount(P("a")), EBUSY,
		     "umount of a mount with a submount: EBUSY");
	tap_is_int(umount2(P("c"), MNT_DETACH), 0,
		   "MNT_DETACH of a mount with a submount");
	load();
	tap_ok(dev_of(P("c")) == dev_of(base) &&
	       strstr(mi_buf, P("c/sub")) == NULL,
	       "the submount went with it");
}

/* The N of @key (e.g. "shared:") in @mp's optional fields, or 0. */
static int opt_field(const char *mp, const char *key)
{
	struct minfo mi;
	const char *f;
	int n = 0;

	if (find_mp(mp, &mi) || !(f = strstr(mi.optional, key)))
		return 0;
	sscanf(f + strlen(key), "%d", &n);
	return n;
}

static void test_shared(void)
{
	int n, m, k;

	mkdir(P("s"), 0755);
	mkdir(P("p"), 0755);
	mkdir(P("q"), 0755);
	mount("src-s", P("s"), "tmpfs", 0, NULL);
	mkdir(P("s/x"), 0755);
	mkdir(P("s/y"), 0755);
	mkdir(P("s/z"), 0755);
	mount(NULL, P("s"), NULL, MS_SHARED, NULL);
	load();
	n = opt_field(P("s"), "shared:");
	tap_ok(n > 0, "MS_SHARED: mountinfo shows shared:N");
	mount(P("s"), P("p"), NULL, MS_BIND, NULL);
	load();
	tap_is_int(opt_field(P("p"), "shared:"), n,
		   "a bind of a shared mount is its peer");
	mount("src-x", P("s/x"), "tmpfs", 0, NULL);
	tap_ok(dev_of(P("p/x")) == dev_of(P("s/x")) &&
	       dev_of(P("p/x")) != dev_of(P("p")),
	       "a mount below one peer appears below the other");
	load();
	m = opt_field(P("s/x"), "shared:");
	tap_ok(m > 0 && m != n && opt_field(P("p/x"), "shared:") == m,
	       "the new mount and its copy are peers in a new group");
	mount(P("s"), P("q"), NULL, MS_BIND, NULL);
	mount(NULL, P("q"), NULL, MS_SLAVE, NULL);
	load();
	tap_ok(opt_field(P("q"), "master:") == n &&
	       opt_field(P("q"), "shared:") == 0,
	       "MS_SLAVE: master:N and no longer shared");
	mount("src-y", P("s/y"), "tmpfs", 0, NULL);
	tap_ok(dev_of(P("q/y")) == dev_of(P("s/y")) &&
	       dev_of(P("q/y")) != dev_of(P("q")),
	       "a slave receives a mount from its master");
	load();
	k = opt_field(P("s/y"), "shared:");
	tap_ok(k > 0 && opt_field(P("q/y"), "master:") == k,
	       "the slave's copy is a slave of the new mount");
	mount("src-z", P("q/z"), "tmpfs", 0, NULL);
	tap_ok(dev_of(P("s/z")) == dev_of(P("s")),
	       "a mount below the slave does not go back");
	umount(P("s/x"));
	tap_ok(dev_of(P("p/x")) == dev_of(P("p")),
	       "umount below one peer leaves the other too");
	mount(NULL, P("p"), NULL, MS_PRIVATE, NULL);
	load();
	tap_ok(opt_field(P("p"), "shared:") == 0 &&
	       opt_field(P("p"), "master:") == 0 &&
	       opt_field(P("s"), "shared:") == n,
	       "MS_PRIVATE leaves the peer group");
	mkdir(P("mv"), 0755);
	mkdir(P("s/w"), 0755);
	mount("src-mv", P("mv"), "tmpfs", 0, NULL);
	tap_is_int(mount(P("mv"), P("s/w"), NULL, MS_MOVE, NULL), 0,
		   "MS_MOVE below a shared mount");
	tap_ok(dev_of(P("q/w")) == dev_of(P("s/w")) &&
	       dev_of(P("q/w")) != dev_of(P("q")),
	       "the move propagates to the slave");
	tap_is_errno(mount(P("s/w"), P("mv"), NULL, MS_MOVE, NULL), EINVAL,
		     "MS_MOVE out of a shared mount: EINVAL");
	umount2(P("q"), MNT_DETACH);
	umount2(P("p"), MNT_DETACH);
	umount2(P("s"), MNT_DETACH);
}

static int pivot(const char *new_root, const char *put_old)
{
	return (int)syscall(SYS_pivot_root, new_root, put_old);
}

/* In a chroot on the tmpfs at pr: results into res[]. */
static void pivot_child(int *res, void *arg)
{
	struct minfo mi;
	dev_t new_dev;

	(void)arg;
	if (chroot(P("pr")) || chdir("/"))
		return;
	new_dev = dev_of("/new");
	res[0] = errno_of(pivot("/new", "/"));
	res[1] = errno_of(pivot("/new", "/elsewhere"));
	res[2] = errno_of(pivot("/new/old", "/new/old"));
	res[3] = errno_of(pivot("/new", "/new/old"));
	res[4] = dev_of("/") == new_dev && dev_of(".") == new_dev &&
		 access("/old/marker", F_OK) == 0 &&
		 access("/marker", F_OK) != 0;
	/* mountinfo from the new root: only what lies below it. */
	if (mount("proc", "/p", "proc", 0, NULL))
		return;
	load_from("/p/self/mountinfo");
	res[5] = !find_mp("/", &mi) && !strcmp(mi.source, "src-new") &&
		 !find_mp("/old", &mi) && !strcmp(mi.source, "src-pr") &&
		 !find_mp("/old/elsewhere", &mi) && !strstr(mi_buf, base);
}

static void drop_child(int *res, void *arg)
{
	(void)arg;
	if (drop_to_user(NOBODY, NOBODY) == 0)
		res[0] = errno_of(pivot(P("pr/new"), P("pr/new/old")));
}

static void test_pivot_root(void)
{
	int res[6];

	mkdir(P("pr"), 0755);
	mount("src-pr", P("pr"), "tmpfs", 0, NULL);
	mkdir(P("pr/new"), 0755);
	mkdir(P("pr/elsewhere"), 0755);
	close(open(P("pr/marker"), O_CREAT | O_WRONLY, 0644));
	mount("src-new", P("pr/new"), "tmpfs", 0, NULL);
	mount("src-else", P("pr/elsewhere"), "tmpfs", 0, NULL);
	mkdir(P("pr/new/old"), 0755);
	mkdir(P("pr/new/p"), 0755);
	tap_is_errno(pivot(P("pr/new"), P("pr/new/old")), EINVAL,
		     "pivot_root with the initial rootfs as root: EINVAL");
	child_results(drop_child, NULL, res, 1);
	tap_is_int(res[0], EPERM, "pivot_root unprivileged: EPERM");
	child_results(pivot_child, NULL, res, 6);
	tap_is_int(res[0], EBUSY, "put_old on the current root: EBUSY");
	tap_is_int(res[1], EINVAL, "put_old not under new_root: EINVAL");
	tap_is_int(res[2], EINVAL, "new_root not a mount: EINVAL");
	tap_is_int(res[3], 0, "pivot_root in a chroot on a mount");
	tap_ok(res[4], "the new root and cwd, the old root on put_old");
	tap_ok(res[5] == 1, "mountinfo then shows the mounts below the new "
	       "root only, as seen from it");
	tap_ok(dev_of(P("pr/old")) != dev_of(P("pr")),
	       "outside, the old root now sits on put_old");
	umount2(P("pr"), MNT_DETACH);
}

int main(void)
{
	static const char *dirs[] = {"a", "b", "c", "d", "e"};
	unsigned int i;

	alarm(30);
	tap_plan(58);
	scratch_enter("mounts");
	if (!getcwd(base, sizeof(base)))
		tap_bail("getcwd");
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		mkdir(P(dirs[i]), 0755);
	test_mountinfo();
	test_bind();
	test_move();
	test_remount();
	test_propagation();
	test_umount();
	test_shared();
	test_pivot_root();
	umount2(P("e"), MNT_DETACH);
	umount2(P("m2"), MNT_DETACH);
	umount2(P("d"), MNT_DETACH);
	umount2(P("b"), MNT_DETACH);
	umount2(P("a"), MNT_DETACH);
	tap_ok(dev_of(P("a")) == dev_of(base), "everything unmounted");
	scratch_leave(NULL);
	return tap_done();
}
