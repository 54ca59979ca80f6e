/*
 * Kernel command-line parameters: typed, registered where they are used.
 *
 *	static int loglevel = 7;
 *	KPARAM_INT(loglevel, loglevel, 0, 15, "console log level");
 *
 * Each macro puts a pointer to a struct kparam into the .kparam linker
 * section; params_parse() walks the command line once at boot. Syntax is
 * Linux's: space-separated `name` or `name=value`, double quotes around a
 * value (or the whole word) keep spaces, '-' and '_' are the same in names,
 * and `--` ends the kernel's part (the rest is for init). An unknown name,
 * a malformed value or an unterminated quote is reported by name in one log
 * line and the boot goes on; the last occurrence of a parameter wins.
 */
#ifndef KEEL_PARAM_H
#define KEEL_PARAM_H

#include <keel/compiler.h>
#include <keel/types.h>

enum kparam_type {
	KPARAM_T_BOOL,     /* "name", or name=1/0/y/n/on/off; var is bool */
	KPARAM_T_INT,      /* integer in [min, max]; var is int */
	KPARAM_T_STRING,   /* copied into a char array of `size` bytes */
	KPARAM_T_FUNC,     /* set(value) validates and applies; value is NULL
			      for a bare name; returns 0 or -EINVAL */
};

struct kparam {
	const char *name;
	const char *help;
	enum kparam_type type;
	void *var;
	long long min, max;
	size_t size;
	int (*set)(const char *val);
};

#define __KPARAM(pname, ...)                                                 \
	static const struct kparam __kparam_##pname = {                      \
		.name = #pname, __VA_ARGS__                                  \
	};                                                                   \
	static const struct kparam *const __kparam_ptr_##pname               \
		__used __section(".kparam") = &__kparam_##pname

#define KPARAM_BOOL(pname, var_, help_) \
	__KPARAM(pname, .help = help_, .type = KPARAM_T_BOOL, .var = &(var_))
#define KPARAM_INT(pname, var_, min_, max_, help_)                         \
	__KPARAM(pname, .help = help_, .type = KPARAM_T_INT, .var = &(var_), \
		 .min = (min_), .max = (max_))
#define KPARAM_STRING(pname, buf_, help_)                                    \
	__KPARAM(pname, .help = help_, .type = KPARAM_T_STRING, .var = (buf_), \
		 .size = sizeof(buf_))
#define KPARAM_FN(pname, fn_, help_) \
	__KPARAM(pname, .help = help_, .type = KPARAM_T_FUNC, .set = (fn_))

/*
 * params_parse - apply @cmdline to the parameters in [@first, @last).
 * @init_args: set to the text after "--" (or NULL when there is none);
 *             it points into @cmdline.
 * Return: the number of problems reported (0 when all was well).
 * Context: boot, one CPU; reports through printk.
 */
int params_parse(const char *cmdline, const struct kparam *const *first,
		 const struct kparam *const *last, const char **init_args);

/* Apply the kernel's built-in table (the .kparam section). */
int params_parse_kernel(const char *cmdline, const char **init_args);

/* Parse @val as an integer in [min, max]: 0, or -EINVAL. */
int param_parse_int(const char *val, long long min, long long max,
		    long long *out);

#endif /* KEEL_PARAM_H */
