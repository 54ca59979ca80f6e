/*
 * Memory-management start-up, in dependency order:
 *
 *   memblock        usable RAM minus the first MiB, the image, the modules
 *   arch_mmu_init   kernel page tables (tables come from memblock, below
 *                   the early map's limit, since they are written before
 *                   the switch)
 *   mem_map         one struct page per frame below the end of RAM, all
 *                   reserved at first
 *   page allocator  every range memblock still has free
 *   kmalloc, vmalloc
 *
 * After this, pgtable_alloc_page() takes pages from the page allocator.
 */
#include <keel/arch.h>
#include <keel/boot.h>
#include <keel/memblock.h>
#include <keel/mm.h>
#include <keel/page_alloc.h>
#include <keel/panic.h>
#include <keel/printk.h>
#include <keel/slab.h>
#include <keel/vm.h>

struct page *mem_map;           /* [I] */
unsigned long max_pfn;          /* [I] */

static paddr_t early_alloc_limit = ARCH_EARLY_MAP_LIMIT;
static bool page_alloc_ready;
static u64 mem_map_bytes, image_bytes, early_bytes;

paddr_t pgtable_alloc_page(void)
{
	struct page *p;

	if (!page_alloc_ready)
		return memblock_alloc(PAGE_SIZE, PAGE_SIZE, early_alloc_limit);
	p = alloc_page(GFP_KERNEL | __GFP_ZERO);
	return p ? page_to_phys(p) : 0;
}

/*
 * The struct page array covers every frame below the end of RAM. A memory
 * map that claims far more RAM than exists (a bad memmap= on the command
 * line, say) can make it too big to allocate: then RAM is capped, halving
 * until the array fits, with one warning, rather than failing the boot.
 */
static void mem_map_init(void)
{
	unsigned long pfn;
	paddr_t pa;

	for (;;) {
		max_pfn = PFN_DOWN(memblock_end_of_ram());
		mem_map_bytes = (u64)max_pfn * sizeof(struct page);
		pa = memblock_alloc(mem_map_bytes, PAGE_SIZE, ~(paddr_t)0);
		if (pa)
			break;
		if (max_pfn <= PFN_DOWN(ARCH_EARLY_MAP_LIMIT) / 8)
			panic("mm: no memory for %lu struct pages", max_pfn);
		pr_warn("mm: no room for %llu KiB of struct pages; ignoring RAM "
			"above %#llx\n", mem_map_bytes >> 10,
			(u64)max_pfn << PAGE_SHIFT >> 1);
		memblock_cap_memory((paddr_t)max_pfn << PAGE_SHIFT >> 1);
	}
	mem_map = phys_to_virt(pa);
	for (pfn = 0; pfn < max_pfn; pfn++) {
		struct page *p = &mem_map[pfn];

		p->flags = 1UL << PG_reserved;
		p->refcount = 1;
		INIT_LIST_HEAD(&p->list);
	}
}

void mm_footprint(struct mm_footprint *fp)
{
	struct page_alloc_stats st;

	page_alloc_stats(&st);
	fp->image_kib = image_bytes >> 10;
	fp->mem_map_kib = mem_map_bytes >> 10;
	fp->early_kib = early_bytes >> 10;
	fp->used_kib = ((u64)(st.total_pages - st.free_pages) << PAGE_SHIFT >> 10) +
		       (memblock_reserved_ram() >> 10);
}

void mm_init(struct boot_info *bi)
{
	struct page_alloc_stats st;
	struct mm_footprint fp;
	u64 reserved_before;

	memblock_init(bi);
	image_bytes = bi->kernel_end - bi->kernel_start;
	reserved_before = memblock_reserved_ram();
	arch_mmu_init(&bi->memmap);
	early_alloc_limit = ~(paddr_t)0;
	mem_map_init();
	early_bytes = memblock_reserved_ram() - reserved_before - mem_map_bytes;

	page_alloc_init();
	memblock_for_each_free(page_alloc_add_free_range);
	page_alloc_set_ram_pages(memblock_ram_bytes() >> PAGE_SHIFT);
	page_alloc_ready = true;
	kmalloc_init();
	vmalloc_init();

	page_alloc_stats(&st);
	mm_footprint(&fp);
	pr_info("mm: %lu MiB managed, %lu MiB free, %lu KiB in DMA32\n",
		st.total_pages >> (20 - PAGE_SHIFT),
		st.free_pages >> (20 - PAGE_SHIFT),
		st.dma32_free_pages << PAGE_SHIFT >> 10);
	pr_info("mm: kernel footprint %llu KiB (image %llu KiB, struct pages "
		"%llu KiB, page tables and boot data %llu KiB)\n", fp.used_kib,
		fp.image_kib, fp.mem_map_kib, fp.early_kib);
}
