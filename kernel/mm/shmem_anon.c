/*
 * Shared anonymous memory (mmap MAP_SHARED|MAP_ANONYMOUS): a reference-
 * counted store of pages indexed by page offset, which every VMA mapping
 * it refers to (one reference per VMA: splits, fork and mremap take more
 * through vm_ops->open). The store holds a reference on each page it has
 * handed out, so a page stays the same for every mapper, including pages
 * first touched after a fork; the last VMA to go frees them all.
 *
 * Pages live in a red-black tree of chunks of SHM_CHUNK consecutive
 * offsets, allocated on first touch, so a huge sparse mapping costs only
 * what is used. A fault beyond the store's size (the VMA was grown by
 * mremap) is a SIGBUS, as with Linux's shmem.
 *
 * Locking: store->lock (a spinlock, innermost but for the page allocator)
 * protects the tree; the refcount is atomic.
 */
#include <keel/errno.h>
#include <keel/slab.h>
#include <keel/vfs.h>
#include "space_internal.h"

#define SHM_CHUNK 256

struct shm_chunk {
	struct rb_node rb;
	u64 index;                      /* first offset / SHM_CHUNK */
	struct page *pages[SHM_CHUNK];
};

struct anon_store {
	int refcount;                   /* [a] VMAs referring to it */
	u64 npages;                     /* [I] size */
	struct spinlock lock;
	struct rb_root chunks;          /* [lock] */
};

static struct shm_chunk *chunk_find(struct anon_store *s, u64 index)
{
	struct rb_node *n = s->chunks.rb_node;

	while (n) {
		struct shm_chunk *c = rb_entry(n, struct shm_chunk, rb);

		if (index < c->index)
			n = n->rb_left;
		else if (index > c->index)
			n = n->rb_right;
		else
			return c;
	}
	return NULL;
}

static void chunk_insert(struct anon_store *s, struct shm_chunk *c)
{
	struct rb_node **link = &s->chunks.rb_node, *parent = NULL;

	while (*link) {
		parent = *link;
		if (c->index < rb_entry(parent, struct shm_chunk, rb)->index)
			link = &parent->rb_left;
		else
			link = &parent->rb_right;
	}
	rb_link_node(&c->rb, parent, link);
	rb_insert_color(&c->rb, &s->chunks);
}

/*
 * The page at @pgoff, created zeroed on first use, with a reference for
 * the caller. Allocation happens unlocked; a racing creator wins.
 */
static int shm_fault(struct vm_area *vma, u64 pgoff, struct page **out)
{
	struct anon_store *s = vma->private;
	struct shm_chunk *c, *newc = NULL;
	struct page *page, *newp = NULL;
	u64 index = pgoff / SHM_CHUNK, slot = pgoff % SHM_CHUNK;

	if (pgoff >= s->npages)
		return -EIO;
	for (;;) {
		spin_lock(&s->lock);
		c = chunk_find(s, index);
		if (!c && newc) {
			chunk_insert(s, newc);
			c = newc;
			newc = NULL;
		}
		page = c ? c->pages[slot] : NULL;
		if (c && !page && newp) {
			page = c->pages[slot] = newp;
			newp = NULL;
		}
		if (page)
			get_page(page);
		spin_unlock(&s->lock);
		if (page)
			break;
		if (!c && !newc) {
			newc = kzalloc(sizeof(*newc), GFP_KERNEL);
			if (!newc)
				break;
			newc->index = index;
		} else if (c && !newp) {
			newp = alloc_page(GFP_KERNEL | __GFP_ZERO);
			if (!newp)
				break;
		}
	}
	kfree(newc);
	if (newp)
		put_page(newp);
	if (!page)
		return -ENOMEM;
	*out = page;
	return 0;
}

static void shm_open(struct vm_area *vma)
{
	struct anon_store *s = vma->private;

	__atomic_fetch_add(&s->refcount, 1, __ATOMIC_RELAXED);
}

static void store_free(struct anon_store *s)
{
	struct shm_chunk *c, *n;
	unsigned int i;

	rbtree_postorder_for_each_entry_safe(c, n, &s->chunks, rb) {
		for (i = 0; i < SHM_CHUNK; i++)
			if (c->pages[i])
				put_page(c->pages[i]);
		kfree(c);
	}
	kfree(s);
}

static void shm_close(struct vm_area *vma)
{
	struct anon_store *s = vma->private;

	if (__atomic_sub_fetch(&s->refcount, 1, __ATOMIC_ACQ_REL) == 0)
		store_free(s);
}

static bool shm_resident(struct vm_area *vma, u64 pgoff)
{
	struct anon_store *s = vma->private;
	struct shm_chunk *c;
	bool ret;

	spin_lock(&s->lock);
	c = chunk_find(s, pgoff / SHM_CHUNK);
	ret = c && c->pages[pgoff % SHM_CHUNK];
	spin_unlock(&s->lock);
	return ret;
}

static const struct vm_ops shmem_anon_ops = {
	.fault = shm_fault,
	.open = shm_open,
	.close = shm_close,
	.resident = shm_resident,
	.name = "/dev/zero (deleted)",
};

bool vma_is_shmem_anon(const struct vm_area *vma)
{
	return vma->ops == &shmem_anon_ops;
}

int shmem_anon_setup(struct vm_area *vma)
{
	struct anon_store *s = kzalloc(sizeof(*s), GFP_KERNEL);

	if (!s)
		return -ENOMEM;
	s->refcount = 1;
	s->npages = vma_pages(vma);
	spin_lock_init(&s->lock);
	s->chunks = RB_ROOT;
	vma->ops = &shmem_anon_ops;
	vma->private = s;
	vma->pgoff = 0;
	return 0;
}

void shmem_anon_punch(struct vm_area *vma, u64 pgoff, u64 n)
{
	struct anon_store *s = vma->private;
	u64 i;

	for (i = pgoff; i < pgoff + n; i++) {
		struct shm_chunk *c;
		struct page *page = NULL;

		spin_lock(&s->lock);
		c = chunk_find(s, i / SHM_CHUNK);
		if (c) {
			page = c->pages[i % SHM_CHUNK];
			c->pages[i % SHM_CHUNK] = NULL;
		} else {
			/* Skip the rest of an absent chunk. */
			i = (i / SHM_CHUNK + 1) * SHM_CHUNK - 1;
		}
		spin_unlock(&s->lock);
		if (page)
			put_page(page);
	}
}

/* ---- generic file mappings ---------------------------------------------------- */

/*
 * For a file system's f_op->mmap: pages come from f_op->get_page (the
 * page cache), past-EOF checks being the file system's (-EIO there).
 */
static int filemap_fault(struct vm_area *vma, u64 pgoff, struct page **out)
{
	if (!vma->file->f_op->get_page)
		return -EIO;
	return vma->file->f_op->get_page(vma->file, pgoff, out);
}

const struct vm_ops filemap_vm_ops = {
	.fault = filemap_fault,
};
