/*
 * ELF64 as the System V gABI, the x86-64 psABI and Linux define it: the
 * file header, the program header, the constants an exec loader needs and
 * the auxiliary-vector tags Linux passes to a new program.
 *
 * Only what exec uses is here; section headers, symbols and relocations
 * arrive with the module loader. Layouts are the ABI's, checked by the
 * static asserts at the end: every field sits at its natural alignment, so
 * no packing is needed.
 */
#ifndef UAPI_ELF_H
#define UAPI_ELF_H

#include <keel/types.h>

typedef u64 Elf64_Addr;
typedef u64 Elf64_Off;
typedef u16 Elf64_Half;
typedef u32 Elf64_Word;
typedef s32 Elf64_Sword;
typedef u64 Elf64_Xword;
typedef s64 Elf64_Sxword;

/* ---- e_ident ------------------------------------------------------------- */

#define EI_NIDENT	16

#define EI_MAG0		0
#define EI_MAG1		1
#define EI_MAG2		2
#define EI_MAG3		3
#define EI_CLASS	4
#define EI_DATA		5
#define EI_VERSION	6
#define EI_OSABI	7
#define EI_ABIVERSION	8
#define EI_PAD		9

#define ELFMAG0		0x7f
#define ELFMAG1		'E'
#define ELFMAG2		'L'
#define ELFMAG3		'F'
#define ELFMAG		"\177ELF"
#define SELFMAG		4

#define ELFCLASSNONE	0
#define ELFCLASS32	1
#define ELFCLASS64	2

#define ELFDATANONE	0
#define ELFDATA2LSB	1	/* two's complement, little-endian */
#define ELFDATA2MSB	2

#define EV_NONE		0
#define EV_CURRENT	1

#define ELFOSABI_NONE	0	/* System V; what most Linux binaries carry */
#define ELFOSABI_GNU	3	/* GNU extensions (IFUNC, unique symbols) */
#define ELFOSABI_LINUX	ELFOSABI_GNU

/* ---- e_type and e_machine ------------------------------------------------ */

#define ET_NONE		0
#define ET_REL		1	/* relocatable object (and kernel modules) */
#define ET_EXEC		2	/* executable at fixed addresses */
#define ET_DYN		3	/* shared object, PIE or static-PIE */
#define ET_CORE		4

#define EM_386		3
#define EM_X86_64	62
#define EM_AARCH64	183
#define EM_RISCV	243

/* ---- the file header ----------------------------------------------------- */

struct elf64_hdr {
	unsigned char e_ident[EI_NIDENT];
	Elf64_Half e_type;
	Elf64_Half e_machine;
	Elf64_Word e_version;
	Elf64_Addr e_entry;	/* entry point (unrelocated for ET_DYN) */
	Elf64_Off e_phoff;	/* file offset of the program header table */
	Elf64_Off e_shoff;	/* file offset of the section header table */
	Elf64_Word e_flags;
	Elf64_Half e_ehsize;	/* size of this header */
	Elf64_Half e_phentsize;	/* size of one program header */
	Elf64_Half e_phnum;
	Elf64_Half e_shentsize;
	Elf64_Half e_shnum;
	Elf64_Half e_shstrndx;
};
typedef struct elf64_hdr Elf64_Ehdr;

/* e_phnum value meaning "the real count is in section header 0's sh_info". */
#define PN_XNUM		0xffff

/* ---- program headers ----------------------------------------------------- */

#define PT_NULL		0
#define PT_LOAD		1	/* a loadable segment */
#define PT_DYNAMIC	2	/* the dynamic section */
#define PT_INTERP	3	/* path of the program interpreter */
#define PT_NOTE		4
#define PT_SHLIB	5	/* reserved, unspecified semantics */
#define PT_PHDR		6	/* the program header table in memory */
#define PT_TLS		7	/* the thread-local storage template */
#define PT_LOOS		0x60000000
#define PT_HIOS		0x6fffffff
#define PT_LOPROC	0x70000000
#define PT_HIPROC	0x7fffffff

#define PT_GNU_EH_FRAME	0x6474e550	/* .eh_frame_hdr */
#define PT_GNU_STACK	0x6474e551	/* p_flags: is the stack executable */
#define PT_GNU_RELRO	0x6474e552	/* read-only after relocation */
#define PT_GNU_PROPERTY	0x6474e553	/* .note.gnu.property */

#define PF_X		(1u << 0)
#define PF_W		(1u << 1)
#define PF_R		(1u << 2)

struct elf64_phdr {
	Elf64_Word p_type;
	Elf64_Word p_flags;
	Elf64_Off p_offset;	/* file offset of the segment's first byte */
	Elf64_Addr p_vaddr;
	Elf64_Addr p_paddr;	/* unused by Linux and System V */
	Elf64_Xword p_filesz;	/* bytes in the file */
	Elf64_Xword p_memsz;	/* bytes in memory; past p_filesz is zero */
	Elf64_Xword p_align;
};
typedef struct elf64_phdr Elf64_Phdr;

/* ---- auxiliary vector tags (Linux's numbering; x86_64 adds 33 and 51) ---- */

#define AT_NULL			0	/* end of the vector */
#define AT_IGNORE		1
#define AT_EXECFD		2
#define AT_PHDR			3	/* the program's program headers */
#define AT_PHENT		4	/* size of one program header */
#define AT_PHNUM		5	/* number of program headers */
#define AT_PAGESZ		6
#define AT_BASE			7	/* load address of the interpreter */
#define AT_FLAGS		8
#define AT_ENTRY		9	/* the program's entry point */
#define AT_NOTELF		10
#define AT_UID			11
#define AT_EUID			12
#define AT_GID			13
#define AT_EGID			14
#define AT_PLATFORM		15	/* string: "x86_64" */
#define AT_HWCAP		16
#define AT_CLKTCK		17	/* frequency of times() */
#define AT_SECURE		23	/* set-id exec: libc distrusts env */
#define AT_BASE_PLATFORM	24
#define AT_RANDOM		25	/* address of 16 random bytes */
#define AT_HWCAP2		26
#define AT_RSEQ_FEATURE_SIZE	27
#define AT_RSEQ_ALIGN		28
#define AT_HWCAP3		29
#define AT_HWCAP4		30
#define AT_EXECFN		31	/* string: the path given to execve */
#define AT_SYSINFO_EHDR		33	/* the vDSO's ELF header */
#define AT_MINSIGSTKSZ		51	/* stack a signal frame needs */

_Static_assert(sizeof(Elf64_Ehdr) == 64, "Elf64_Ehdr is 64 bytes");
_Static_assert(__builtin_offsetof(Elf64_Ehdr, e_entry) == 24, "e_entry");
_Static_assert(__builtin_offsetof(Elf64_Ehdr, e_phoff) == 32, "e_phoff");
_Static_assert(__builtin_offsetof(Elf64_Ehdr, e_phentsize) == 54, "phentsize");
_Static_assert(__builtin_offsetof(Elf64_Ehdr, e_shstrndx) == 62, "e_shstrndx");
_Static_assert(sizeof(Elf64_Phdr) == 56, "Elf64_Phdr is 56 bytes");
_Static_assert(__builtin_offsetof(Elf64_Phdr, p_offset) == 8, "p_offset");
_Static_assert(__builtin_offsetof(Elf64_Phdr, p_align) == 48, "p_align");

#endif /* UAPI_ELF_H */
