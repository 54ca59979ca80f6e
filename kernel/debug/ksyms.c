/*
 * Kernel symbol lookup.
 *
 * The table is generated after link pass 1 by tools/ksyms.py and placed in
 * .ksyms (see the linker script):
 *
 *	u64 count;
 *	u64 addr[count];        sorted ascending, function start addresses
 *	u64 end;                end of the last function (end of .text)
 *	u32 name_off[count];    offsets into names
 *	char names[];           NUL-terminated names
 *
 * A function's size is the distance to the next symbol.
 */
#include <keel/ksyms.h>
#include <keel/sprintf.h>
#include <keel/string.h>

extern const u64 __ksyms_start[];
extern const char __ksyms_end[];

struct ksym_table {
	u64 count;
	const u64 *addr;
	u64 end;
	const u32 *name_off;
	const char *names;
};

static bool ksym_table(struct ksym_table *t)
{
	const u64 *p = __ksyms_start;

	if ((const char *)p + sizeof(u64) > __ksyms_end || !p[0])
		return false;
	t->count = p[0];
	t->addr = p + 1;
	t->end = p[1 + t->count];
	t->name_off = (const u32 *)(p + 2 + t->count);
	t->names = (const char *)(t->name_off + t->count);
	return true;
}

const char *ksym_lookup(unsigned long addr, unsigned long *offset,
			unsigned long *size)
{
	struct ksym_table t;
	u64 lo = 0, hi, next;

	if (!ksym_table(&t) || addr < t.addr[0] || addr >= t.end)
		return NULL;
	hi = t.count;
	/* Find the last symbol with address <= addr. */
	while (hi - lo > 1) {
		u64 mid = lo + (hi - lo) / 2;

		if (t.addr[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	next = lo + 1 < t.count ? t.addr[lo + 1] : t.end;
	*offset = addr - t.addr[lo];
	*size = next - t.addr[lo];
	return t.names + t.name_off[lo];
}

unsigned long ksym_address(const char *name)
{
	struct ksym_table t;
	u64 i;

	if (!ksym_table(&t))
		return 0;
	for (i = 0; i < t.count; i++)
		if (!strcmp(t.names + t.name_off[i], name))
			return t.addr[i];
	return 0;
}

int ksym_snprint(char *buf, size_t size, unsigned long addr)
{
	unsigned long off, len;
	const char *name = ksym_lookup(addr, &off, &len);

	if (!name)
		return scnprintf(buf, size, "%#lx", addr);
	return scnprintf(buf, size, "%s+0x%lx/0x%lx", name, off, len);
}
