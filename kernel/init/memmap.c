/*
 * Memory-map sanitizing: see <keel/memmap.h>.
 *
 * Overlaps are resolved with a sweep over the sorted entry boundaries: each
 * elementary interval between two consecutive boundaries takes the most
 * restrictive type among the entries covering it. That is O(n^2) for n
 * entries, and n is at most BOOT_MEMMAP_MAX.
 */
#include <keel/errno.h>
#include <keel/kstrtox.h>
#include <keel/memmap.h>
#include <keel/param.h>
#include <keel/printk.h>
#include <keel/sort.h>
#include <keel/string.h>

#define MEMMAP_WARN_MAX 8   /* then one summary line */
#define MEMMAP_CMDLINE_MAX 8

const char *memmap_type_name(u32 type)
{
	switch (type) {
	case MEMMAP_USABLE: return "usable";
	case MEMMAP_RESERVED: return "reserved";
	case MEMMAP_ACPI_RECLAIMABLE: return "ACPI data";
	case MEMMAP_ACPI_NVS: return "ACPI NVS";
	case MEMMAP_BAD: return "unusable";
	default: return "unknown";
	}
}

/* Higher rank = more restrictive. */
static int type_rank(u32 type)
{
	switch (type) {
	case MEMMAP_USABLE: return 0;
	case MEMMAP_ACPI_RECLAIMABLE: return 1;
	case MEMMAP_ACPI_NVS: return 2;
	case MEMMAP_BAD: return 4;
	default: return 3;
	}
}

static int cmp_entry(const void *a, const void *b)
{
	const struct memmap_entry *x = a, *y = b;

	if (x->base != y->base)
		return x->base < y->base ? -1 : 1;
	return x->length < y->length ? -1 : x->length > y->length;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static u64 entry_end(const struct memmap_entry *e)
{
	return e->base + e->length;
}

/* Drop empty entries, clip ones past the limit, map unknown types to reserved. */
static int memmap_clean(struct memmap *mm)
{
	unsigned int i, n = 0;
	int problems = 0;

	for (i = 0; i < mm->count; i++) {
		struct memmap_entry e = mm->entries[i];

		if (!e.length) {
			pr_warn("memmap: empty entry at %#llx dropped\n", e.base);
			problems++;
			continue;
		}
		if (e.base >= MEMMAP_ADDR_LIMIT) {
			pr_warn("memmap: entry at %#llx is beyond the physical "
				"address limit, dropped\n", e.base);
			problems++;
			continue;
		}
		if (e.length > MEMMAP_ADDR_LIMIT - e.base) {
			pr_warn("memmap: entry at %#llx runs past the physical "
				"address limit, clipped\n", e.base);
			e.length = MEMMAP_ADDR_LIMIT - e.base;
			problems++;
		}
		if (type_rank(e.type) == 3 && e.type != MEMMAP_RESERVED)
			e.type = MEMMAP_RESERVED;
		mm->entries[n++] = e;
	}
	mm->count = n;
	return problems;
}

static int memmap_report_overlaps(const struct memmap *mm)
{
	unsigned int i, j, found = 0;

	for (i = 0; i < mm->count; i++) {
		const struct memmap_entry *a = &mm->entries[i];

		/* Sorted by base: only later entries starting before a's end overlap. */
		for (j = i + 1; j < mm->count && mm->entries[j].base < entry_end(a); j++) {
			const struct memmap_entry *b = &mm->entries[j];

			if (++found <= MEMMAP_WARN_MAX)
				pr_warn("memmap: entries [%#llx-%#llx) %s and "
					"[%#llx-%#llx) %s overlap; the more "
					"restrictive type wins\n", a->base,
					entry_end(a), memmap_type_name(a->type),
					b->base, entry_end(b),
					memmap_type_name(b->type));
		}
	}
	if (found > MEMMAP_WARN_MAX)
		pr_warn("memmap: %u more overlapping pairs not shown\n",
			found - MEMMAP_WARN_MAX);
	return found ? 1 : 0;
}

static int memmap_report_unaligned(const struct memmap *mm)
{
	unsigned int i, found = 0;

	for (i = 0; i < mm->count; i++) {
		const struct memmap_entry *e = &mm->entries[i];

		if (e->type != MEMMAP_USABLE ||
		    (IS_ALIGNED(e->base, MEMMAP_PAGE_SIZE) &&
		     IS_ALIGNED(e->length, MEMMAP_PAGE_SIZE)))
			continue;
		/* Common in real maps (640 KiB minus the EBDA): info, not warn. */
		if (++found <= MEMMAP_WARN_MAX)
			pr_info("memmap: usable entry [%#llx-%#llx) is unaligned; "
				"only whole pages in it are used\n", e->base,
				entry_end(e));
	}
	if (found > MEMMAP_WARN_MAX)
		pr_info("memmap: %u more unaligned entries not shown\n",
			found - MEMMAP_WARN_MAX);
	return found ? 1 : 0;
}

/* The most restrictive type covering [lo, hi), or 0 if none does. */
static u32 covering_type(const struct memmap *mm, u64 lo, u64 hi)
{
	unsigned int i;
	u32 type = 0;

	for (i = 0; i < mm->count; i++) {
		const struct memmap_entry *e = &mm->entries[i];

		if (e->base <= lo && entry_end(e) >= hi &&
		    (!type || type_rank(e->type) > type_rank(type)))
			type = e->type;
	}
	return type;
}

static void out_append(struct memmap *out, u64 lo, u64 hi, u32 type)
{
	struct memmap_entry *last = out->count ? &out->entries[out->count - 1] : NULL;

	if (type == MEMMAP_USABLE) {
		lo = ALIGN_UP(lo, MEMMAP_PAGE_SIZE);
		hi = ALIGN_DOWN(hi, MEMMAP_PAGE_SIZE);
		if (hi <= lo)
			return;
	}
	if (last && last->type == type && entry_end(last) == lo) {
		last->length += hi - lo;
		return;
	}
	if (out->count == BOOT_MEMMAP_MAX) {
		out->truncated = true;
		return;
	}
	out->entries[out->count].base = lo;
	out->entries[out->count].length = hi - lo;
	out->entries[out->count].type = type;
	out->count++;
}

int memmap_sanitize(struct memmap *mm)
{
	static u64 points[2 * BOOT_MEMMAP_MAX];
	static struct memmap out;
	unsigned int i, np = 0;
	int problems = 0;

	if (mm->truncated) {
		pr_warn("memmap: more than %d entries; the rest were dropped\n",
			BOOT_MEMMAP_MAX);
		problems++;
	}
	problems += memmap_clean(mm);
	sort(mm->entries, mm->count, sizeof(mm->entries[0]), cmp_entry, NULL);
	problems += memmap_report_overlaps(mm);
	problems += memmap_report_unaligned(mm);

	for (i = 0; i < mm->count; i++) {
		points[np++] = mm->entries[i].base;
		points[np++] = entry_end(&mm->entries[i]);
	}
	sort(points, np, sizeof(points[0]), cmp_u64, NULL);
	memset(&out, 0, sizeof(out));
	for (i = 0; i + 1 < np; i++) {
		u32 type;

		if (points[i] == points[i + 1])
			continue;
		type = covering_type(mm, points[i], points[i + 1]);
		if (type)
			out_append(&out, points[i], points[i + 1], type);
	}
	if (out.truncated) {
		pr_warn("memmap: sanitized map exceeds %d entries; the rest "
			"were dropped\n", BOOT_MEMMAP_MAX);
		problems++;
	}
	out.truncated = mm->truncated;
	*mm = out;
	return problems;
}

void memmap_totals(const struct memmap *mm, struct memmap_totals *t)
{
	unsigned int i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < mm->count; i++) {
		const struct memmap_entry *e = &mm->entries[i];

		if (e->type == MEMMAP_USABLE) {
			t->usable += e->length;
			if (entry_end(e) > t->highest_usable_end)
				t->highest_usable_end = entry_end(e);
		} else {
			t->reserved += e->length;
		}
	}
}

int memmap_parse_arg(const char *arg, struct memmap_entry *e)
{
	unsigned long long size, start;
	char *end;

	if (!arg || parse_size(arg, &end, &size) || !size)
		return -EINVAL;
	switch (*end) {
	case '@': e->type = MEMMAP_USABLE; break;
	case '$':
	case '!': e->type = MEMMAP_RESERVED; break;
	case '#': e->type = MEMMAP_ACPI_RECLAIMABLE; break;
	default: return -EINVAL;
	}
	if (parse_size(end + 1, &end, &start) || *end)
		return -EINVAL;
	e->base = start;
	e->length = size;
	return 0;
}

static struct memmap_entry cmdline_entries[MEMMAP_CMDLINE_MAX];
static unsigned int cmdline_count;

static int memmap_param_set(const char *val)
{
	struct memmap_entry e;

	if (memmap_parse_arg(val, &e))
		return -EINVAL;
	if (cmdline_count == MEMMAP_CMDLINE_MAX) {
		pr_warn("memmap: more than %d memmap= entries, \"%s\" ignored\n",
			MEMMAP_CMDLINE_MAX, val);
		return 0;
	}
	cmdline_entries[cmdline_count++] = e;
	return 0;
}
KPARAM_FN(memmap, memmap_param_set,
	  "add a memory map entry: nn@ss usable, nn$ss reserved, nn#ss ACPI");

void memmap_add_entry(struct memmap *mm, u64 base, u64 len, u32 type)
{
	if (mm->count == BOOT_MEMMAP_MAX) {
		mm->truncated = true;
		return;
	}
	mm->entries[mm->count].base = base;
	mm->entries[mm->count].length = len;
	mm->entries[mm->count].type = type;
	mm->count++;
}

/*
 * Add @e, which claims RAM, only where the firmware's map (its first
 * @nfw entries) describes memory of some type: nothing can tell whether RAM
 * exists in a hole, and "RAM" that is not there would be handed out.
 */
static void memmap_add_claimed_ram(struct memmap *mm, unsigned int nfw,
				   const struct memmap_entry *e)
{
	u64 covered = 0;
	unsigned int i;

	for (i = 0; i < nfw; i++) {
		const struct memmap_entry *f = &mm->entries[i];
		u64 lo = MAX(e->base, f->base);
		u64 hi = MIN(entry_end(e), entry_end(f));

		if (lo < hi) {
			memmap_add_entry(mm, lo, hi - lo, MEMMAP_USABLE);
			covered += hi - lo;
		}
	}
	if (covered < e->length)
		pr_warn("memmap: usable entry [%#llx-%#llx) reaches beyond the "
			"memory the firmware reported; only %llu KiB inside it "
			"are used\n", e->base, entry_end(e), covered >> 10);
}

void memmap_add_cmdline_entries(struct memmap *mm)
{
	unsigned int i, nfw = mm->count;

	for (i = 0; i < cmdline_count; i++) {
		const struct memmap_entry *e = &cmdline_entries[i];

		if (e->type == MEMMAP_USABLE)
			memmap_add_claimed_ram(mm, nfw, e);
		else
			memmap_add_entry(mm, e->base, e->length, e->type);
	}
}
