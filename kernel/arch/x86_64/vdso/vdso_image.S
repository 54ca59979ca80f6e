/*
 * The vDSO image (built by arch.mk from vclock.c), embedded read-only in
 * the kernel. kernel/mm/vdso.c checks and copies it at boot.
 */
	.section .rodata, "a"
	.balign 4096
	.globl vdso_image_start
vdso_image_start:
	.incbin VDSO_SO_PATH
	.globl vdso_image_end
vdso_image_end:
	.previous
	.section .note.GNU-stack, "", @progbits
