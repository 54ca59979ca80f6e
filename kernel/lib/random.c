/*
 * Kernel random numbers: a ChaCha20 generator with fast key erasure.
 *
 * State: a 256-bit key. A request runs the ChaCha20 block function with
 * the key and a counter; the first 32 bytes of the first block become the
 * next key (so a later compromise of the state reveals nothing already
 * handed out), the rest is output. Seeding mixes 64-bit samples from the
 * CPU's hardware source (arch_get_random_seed) and cycle-counter jitter
 * into the key by running it through the block function again; the
 * generator reseeds that way on first use and then every RESEED_BYTES of
 * output or RESEED_NS of time, whichever comes first. Without a hardware
 * source, the seed is timing jitter only: good enough for ASLR against a
 * remote attacker, documented as such, never a secret-key generator.
 *
 * Locking: rng_lock (IRQ-safe: any context may ask for bytes) protects the
 * whole state; output is produced under it, at most 4 KiB at a time so the
 * lock is never held long.
 */
#include <keel/arch.h>
#include <keel/random.h>
#include <keel/spinlock.h>
#include <keel/string.h>

#define RESEED_BYTES    (1UL << 20)
#define RESEED_NS       (300ULL * 1000000000ULL)
#define CHUNK           4096

static DEFINE_SPINLOCK(rng_lock);
static struct {
	u32 key[8];
	u64 counter;
	u64 bytes_since_seed;
	u64 seeded_at_ns;
	bool seeded;
} rng;                  /* [rng_lock] */

static inline u32 rotl32(u32 v, int n)
{
	return (v << n) | (v >> (32 - n));
}

#define QR(a, b, c, d) do {                                     \
	a += b; d ^= a; d = rotl32(d, 16);                      \
	c += d; b ^= c; b = rotl32(b, 12);                      \
	a += b; d ^= a; d = rotl32(d, 8);                       \
	c += d; b ^= c; b = rotl32(b, 7);                       \
} while (0)

/* One ChaCha20 block (RFC 8439 layout, 64-bit counter, zero nonce). */
void chacha20_block(const u32 key[8], u64 counter, u32 out[16])
{
	u32 x[16], in[16] = {
		0x61707865, 0x3320646e, 0x79622d32, 0x6b206574,
		key[0], key[1], key[2], key[3], key[4], key[5], key[6], key[7],
		(u32)counter, (u32)(counter >> 32), 0, 0,
	};

	memcpy(x, in, sizeof(x));
	for (int i = 0; i < 10; i++) {
		QR(x[0], x[4], x[8], x[12]);
		QR(x[1], x[5], x[9], x[13]);
		QR(x[2], x[6], x[10], x[14]);
		QR(x[3], x[7], x[11], x[15]);
		QR(x[0], x[5], x[10], x[15]);
		QR(x[1], x[6], x[11], x[12]);
		QR(x[2], x[7], x[8], x[13]);
		QR(x[3], x[4], x[9], x[14]);
	}
	for (int i = 0; i < 16; i++)
		out[i] = x[i] + in[i];
}

/* Fold 64 bits of input into the key: key = block(key ^ input)[0..7]. */
static void rng_mix(u64 v)
{
	u32 out[16];

	rng.key[0] ^= (u32)v;
	rng.key[1] ^= (u32)(v >> 32);
	chacha20_block(rng.key, rng.counter++, out);
	memcpy(rng.key, out, sizeof(rng.key));
	memset(out, 0, sizeof(out));
}

static void rng_reseed(void)
{
	u64 v;

	for (int i = 0; i < 8; i++) {
		if (arch_get_random_seed(&v))
			rng_mix(v);
		/* Jitter: the low bits of the cycle counter around a block. */
		rng_mix(arch_cycles() ^ (arch_clock_ns() << 17));
	}
	rng.bytes_since_seed = 0;
	rng.seeded_at_ns = arch_clock_ns();
	rng.seeded = true;
}

/* Produce up to CHUNK bytes. Context: rng_lock held. */
static void rng_generate(u8 *buf, size_t len)
{
	u32 block[16];

	if (!rng.seeded || rng.bytes_since_seed >= RESEED_BYTES ||
	    arch_clock_ns() - rng.seeded_at_ns >= RESEED_NS)
		rng_reseed();
	/* The first block's first half is the next key (fast key erasure). */
	chacha20_block(rng.key, rng.counter++, block);
	memcpy(rng.key, block, sizeof(rng.key));
	for (size_t off = 0; off < len; off += 32) {
		size_t n = len - off < 32 ? len - off : 32;

		if (off)
			chacha20_block(rng.key, rng.counter++, block);
		memcpy(buf + off, (u8 *)block + 32, n);
	}
	rng.bytes_since_seed += len;
	memset(block, 0, sizeof(block));
}

void get_random_bytes(void *buf, size_t len)
{
	u8 *p = buf;

	while (len) {
		size_t n = len < CHUNK ? len : CHUNK;
		unsigned long flags = spin_lock_irqsave(&rng_lock);

		rng_generate(p, n);
		spin_unlock_irqrestore(&rng_lock, flags);
		p += n;
		len -= n;
	}
}

u64 get_random_u64(void)
{
	u64 v;

	get_random_bytes(&v, sizeof(v));
	return v;
}

/* Lemire's multiply-shift with rejection: unbiased in [0, bound). */
u64 get_random_below(u64 bound)
{
	unsigned __int128 m = (unsigned __int128)get_random_u64() * bound;
	u64 low = (u64)m;

	if (low < bound) {
		u64 threshold = -bound % bound;

		while (low < threshold) {
			m = (unsigned __int128)get_random_u64() * bound;
			low = (u64)m;
		}
	}
	return (u64)(m >> 64);
}
