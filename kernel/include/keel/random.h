/*
 * Kernel random numbers (kernel/lib/random.c): a ChaCha20-based generator
 * seeded from the CPU's hardware source (x86: RDSEED/RDRAND) when there is
 * one, mixed with timing jitter, and reseeded periodically. For ASLR,
 * AT_RANDOM, getrandom(2), /dev/urandom.
 */
#ifndef KEEL_RANDOM_H
#define KEEL_RANDOM_H

#include <keel/types.h>

/* Fill @buf with @len random bytes. Context: any (takes a spinlock). */
void get_random_bytes(void *buf, size_t len);
u64 get_random_u64(void);
/* A uniformly random value in [0, @bound) (@bound > 0). */
u64 get_random_below(u64 bound);

/*
 * chacha20_block - one ChaCha20 block (RFC 8439) with a 64-bit block
 * counter in words 12-13 and a zero nonce; exposed for the known-answer
 * ktest.
 */
void chacha20_block(const u32 key[8], u64 counter, u32 out[16]);

#endif /* KEEL_RANDOM_H */
