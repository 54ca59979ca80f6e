/*
 * Command-line parsing for the typed parameters of <keel/param.h>.
 *
 * The command line came from the boot loader and is untrusted: words of any
 * length, stray quotes and unknown names are all reported and skipped, never
 * fatal. Parsing copies each word into a bounded buffer, so the command line
 * itself is never modified.
 */
#include <keel/errno.h>
#include <keel/kstrtox.h>
#include <keel/param.h>
#include <keel/printk.h>
#include <keel/string.h>

#define PARAM_WORD_MAX 1024

int param_parse_int(const char *val, long long min, long long max,
		    long long *out)
{
	long long v;

	if (!val || kstrtoll(val, 0, &v) || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

/* '-' and '_' are interchangeable in parameter names, as in Linux. */
static bool param_name_eq(const char *a, const char *b, size_t blen)
{
	size_t i;

	for (i = 0; i < blen; i++) {
		char x = a[i] == '-' ? '_' : a[i];
		char y = b[i] == '-' ? '_' : b[i];

		if (!x || x != y)
			return false;
	}
	return a[blen] == '\0';
}

/*
 * Copy the next word of @s into @word, removing double quotes. Return a
 * pointer past the word, and set *@bad_quote if a quote is never closed.
 */
static const char *next_word(const char *s, char *word, size_t size,
			     bool *bad_quote, bool *too_long)
{
	bool in_quote = false;
	size_t n = 0;

	*bad_quote = false;
	*too_long = false;
	for (; *s && (in_quote || (*s != ' ' && *s != '\t' && *s != '\n')); s++) {
		if (*s == '"') {
			in_quote = !in_quote;
			continue;
		}
		if (n + 1 < size)
			word[n++] = *s;
		else
			*too_long = true;
	}
	word[n] = '\0';
	*bad_quote = in_quote;
	return s;
}

static int param_set(const struct kparam *p, const char *val)
{
	long long v;
	bool b;

	switch (p->type) {
	case KPARAM_T_BOOL:
		if (!val) {
			*(bool *)p->var = true;
			return 0;
		}
		if (kstrtobool(val, &b))
			return -EINVAL;
		*(bool *)p->var = b;
		return 0;
	case KPARAM_T_INT:
		if (param_parse_int(val, p->min, p->max, &v))
			return -EINVAL;
		*(int *)p->var = (int)v;
		return 0;
	case KPARAM_T_STRING:
		if (!val || strlen(val) >= p->size)
			return -EINVAL;
		strlcpy(p->var, val, p->size);
		return 0;
	case KPARAM_T_FUNC:
		return p->set(val) ? -EINVAL : 0;
	}
	return -EINVAL;
}

static void report_bad_value(const struct kparam *p, const char *val)
{
	if (p->type == KPARAM_T_INT)
		pr_warn("cmdline: invalid value \"%s\" for parameter \"%s\": "
			"expected an integer in %lld..%lld\n",
			val ? val : "", p->name, p->min, p->max);
	else if (p->type == KPARAM_T_STRING && val)
		pr_warn("cmdline: invalid value for parameter \"%s\": longer "
			"than %zu characters\n", p->name, p->size - 1);
	else if (!val)
		pr_warn("cmdline: parameter \"%s\" needs a value (%s)\n",
			p->name, p->help);
	else
		pr_warn("cmdline: invalid value \"%s\" for parameter \"%s\" (%s)\n",
			val, p->name, p->help);
}

static int param_apply(const char *word, const struct kparam *const *first,
		       const struct kparam *const *last)
{
	const char *eq = strchr(word, '=');
	size_t nlen = eq ? (size_t)(eq - word) : strlen(word);
	const char *val = eq ? eq + 1 : NULL;
	const struct kparam *const *pp;

	for (pp = first; pp < last; pp++) {
		if (!param_name_eq((*pp)->name, word, nlen))
			continue;
		if (param_set(*pp, val) == 0)
			return 0;
		report_bad_value(*pp, val);
		return 1;
	}
	pr_warn("cmdline: unknown parameter \"%.*s\" ignored\n", (int)nlen, word);
	return 1;
}

int params_parse(const char *cmdline, const struct kparam *const *first,
		 const struct kparam *const *last, const char **init_args)
{
	static char word[PARAM_WORD_MAX];
	bool bad_quote, too_long;
	const char *s = cmdline;
	int problems = 0;

	*init_args = NULL;
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (!*s)
			break;
		if (s[0] == '-' && s[1] == '-' && (!s[2] || s[2] == ' ')) {
			s += 2;
			while (*s == ' ')
				s++;
			*init_args = s;
			break;
		}
		s = next_word(s, word, sizeof(word), &bad_quote, &too_long);
		if (bad_quote) {
			pr_warn("cmdline: unterminated quote in \"%s\"\n", word);
			problems++;
		}
		if (too_long) {
			pr_warn("cmdline: word starting \"%.32s\" is longer than "
				"%d characters, ignored\n", word,
				PARAM_WORD_MAX - 1);
			problems++;
			continue;
		}
		problems += param_apply(word, first, last);
	}
	return problems;
}

#ifndef KEEL_HOST
extern const struct kparam *const __kparam_start[], *const __kparam_end[];

int params_parse_kernel(const char *cmdline, const char **init_args)
{
	return params_parse(cmdline, __kparam_start, __kparam_end, init_args);
}
#endif
