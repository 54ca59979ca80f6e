/*
 * Physical memory map handling before any allocator exists.
 *
 * The map from firmware (plus `memmap=` entries from the command line) may
 * be unsorted, overlapping, unaligned or contain empty entries.
 * memmap_sanitize() turns it into sorted, non-overlapping, merged entries
 * where usable RAM is page-aligned; each problem it fixes is reported in
 * one log line. The memory-management issue builds the page allocator from
 * the result.
 */
#ifndef KEEL_MEMMAP_H
#define KEEL_MEMMAP_H

#include <keel/boot.h>

#define MEMMAP_PAGE_SIZE 4096ULL

/*
 * No architecture Keel targets has physical addresses of more than 52 bits;
 * entries beyond are dropped or clipped (this also keeps base + length from
 * wrapping around).
 */
#define MEMMAP_ADDR_LIMIT (1ULL << 52)

struct memmap_totals {
	u64 usable;
	u64 reserved;   /* everything that is not usable RAM */
	u64 highest_usable_end;
};

/*
 * memmap_add_entry - append an entry as given (sanitizing comes later);
 * when the map is full, set @mm->truncated instead.
 */
void memmap_add_entry(struct memmap *mm, u64 base, u64 len, u32 type);

/*
 * memmap_sanitize - sort, split overlaps (the more restrictive type wins:
 * bad > reserved > ACPI NVS > ACPI reclaimable > usable), drop empty
 * entries, trim usable entries to whole pages, merge neighbours.
 * Return: the number of problems reported.
 */
int memmap_sanitize(struct memmap *mm);

void memmap_totals(const struct memmap *mm, struct memmap_totals *t);

const char *memmap_type_name(u32 type);

/*
 * Add the entries given with memmap= on the command line to @mm. Entries
 * that claim usable RAM are kept only where the firmware's map describes
 * memory (of any type); the rest is dropped with a warning.
 */
void memmap_add_cmdline_entries(struct memmap *mm);

/*
 * memmap_parse_arg - parse one memmap= value: "nn@ss" adds usable RAM,
 * "nn$ss" and "nn!ss" reserve, "nn#ss" marks ACPI data (Linux's syntax;
 * sizes and addresses take K/M/G suffixes).
 * Return: 0 and the entry, or -EINVAL.
 */
int memmap_parse_arg(const char *arg, struct memmap_entry *e);

#endif /* KEEL_MEMMAP_H */
