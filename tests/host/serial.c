// SPDX-License-Identifier: GPL-2.0
#include "serial.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../crash_patterns.h"
#include "../markers.h"

void linebuf_init(struct linebuf *lb)
{
	lb->len = 0;
	lb->prev_cr = false;
	lb->buf[0] = '\0';
	lb->pend_len = 0;
	lb->pend_log = false;
	lb->pend_held = 0;
}

/* Give up waiting for a marker's rest after this many foreign lines. */
#define PEND_MAX_HELD 200

static void flush_pend(struct linebuf *lb, line_fn fn, void *ctx)
{
	if (lb->pend_len == 0)
		return;
	lb->pend[lb->pend_len] = '\0';
	fn(ctx, lb->pend, lb->pend_len);
	lb->pend_len = 0;
	lb->pend_held = 0;
}

/*
 * Where does a foreign line start inside this marker line? 0 if nowhere.
 * Only text after the marker word counts: Xen's text before a marker is the
 * old, harmless case (the marker is found behind it).
 */
static size_t foreign_split(const char *line, bool *is_log)
{
	struct marker m;
	const char *p;

	if (!serial_find_marker(line, &m))
		return 0;
	*is_log = m.kind == MARK_LOG;
	for (p = m.payload; *p; p++) {
		unsigned n = gntlab_foreign_line_at(p);

		if (n == 0 || (*is_log && !gntlab_foreign_is_xen(p)))
			continue;
		return (size_t)(p - line);
	}
	return 0;
}

static void deliver(struct linebuf *lb, const char *line, size_t len, line_fn fn, void *ctx)
{
	size_t k;
	bool is_log = false;

	if (lb->pend_len > 0) {
		unsigned n = gntlab_foreign_line_at(line);

		if (n > 0 && !(lb->pend_log && !gntlab_foreign_is_xen(line))) {
			/* Another foreign line before the marker's rest. */
			fn(ctx, line, len);
			if (++lb->pend_held >= PEND_MAX_HELD)
				flush_pend(lb, fn, ctx);
			return;
		}
		memcpy(lb->work, lb->pend, lb->pend_len);
		memcpy(lb->work + lb->pend_len, line, len);
		len += lb->pend_len;
		lb->work[len] = '\0';
		lb->pend_len = 0;
		lb->pend_held = 0;
		line = lb->work;
	}
	k = foreign_split(line, &is_log);
	if (k > 0 && k <= SERIAL_MAX_LINE) {
		memcpy(lb->pend, line, k);
		lb->pend_len = k;
		lb->pend_log = is_log;
		lb->pend_held = 0;
		/* The foreign line runs to the end: the writer ended it. */
		fn(ctx, line + k, len - k);
		return;
	}
	fn(ctx, line, len);
}

static void emit(struct linebuf *lb, line_fn fn, void *ctx)
{
	lb->buf[lb->len] = '\0';
	deliver(lb, lb->buf, lb->len, fn, ctx);
	lb->len = 0;
}

void linebuf_feed(struct linebuf *lb, const char *data, size_t n, line_fn fn, void *ctx)
{
	for (size_t i = 0; i < n; i++) {
		char c = data[i];

		if (c == '\0')
			continue;
		if (c == '\n') {
			/* The LF of a CRLF: the CR already ended the line. */
			if (!(lb->prev_cr && lb->len == 0))
				emit(lb, fn, ctx);
			lb->prev_cr = false;
			continue;
		}
		if (c == '\r') {
			/* An empty line still ends a waiting marker. */
			if (lb->len > 0 || lb->pend_len > 0)
				emit(lb, fn, ctx);
			lb->prev_cr = true;
			continue;
		}
		lb->prev_cr = false;
		lb->buf[lb->len++] = c;
		if (lb->len == SERIAL_MAX_LINE)
			emit(lb, fn, ctx);
	}
}

void linebuf_flush(struct linebuf *lb, line_fn fn, void *ctx)
{
	if (lb->len > 0)
		emit(lb, fn, ctx);
	flush_pend(lb, fn, ctx);
	lb->prev_cr = false;
}

static const struct {
	const char *word; /* the marker of markers.h, without its trailing space */
	size_t len;
	enum marker_kind kind;
} markers[] = {
	{GNTLAB_MARK_PHASE, sizeof(GNTLAB_MARK_PHASE) - 2, MARK_PHASE},
	{GNTLAB_MARK_DIAG, sizeof(GNTLAB_MARK_DIAG) - 2, MARK_DIAG},
	{GNTLAB_MARK_TAP, sizeof(GNTLAB_MARK_TAP) - 2, MARK_TAP},
	{GNTLAB_MARK_LOG, sizeof(GNTLAB_MARK_LOG) - 2, MARK_LOG},
	{GNTLAB_MARK_END, sizeof(GNTLAB_MARK_END) - 2, MARK_END},
	{GNTLAB_MARK_MATRIX, sizeof(GNTLAB_MARK_MATRIX) - 2, MARK_MATRIX},
};

bool serial_find_marker(const char *line, struct marker *m)
{
	const char *p = line;

	while ((p = strstr(p, "GNTLAB-")) != NULL) {
		for (size_t i = 0; i < sizeof(markers) / sizeof(markers[0]); i++) {
			const char *after = p + markers[i].len;
			const char *end;

			if (strncmp(p, markers[i].word, markers[i].len) != 0)
				continue;
			if (*after != ' ' && *after != '\t' && *after != '\0')
				continue;
			while (*after == ' ' || *after == '\t')
				after++;
			end = after + strlen(after);
			while (end > after && isspace((unsigned char)end[-1]))
				end--;
			m->kind = markers[i].kind;
			m->payload = after;
			m->payload_len = (size_t)(end - after);
			return true;
		}
		p++;
	}
	m->kind = MARK_NONE;
	m->payload = NULL;
	m->payload_len = 0;
	return false;
}

static void copy_trimmed(char *dst, size_t dstsz, const char *s, size_t len)
{
	while (len > 0 && isspace((unsigned char)*s)) {
		s++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	if (len >= dstsz)
		len = dstsz - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

/* Does s (of length len) start with word, followed by white space or its end? */
static bool starts_word(const char *s, size_t len, const char *word)
{
	size_t wl = strlen(word);

	if (len < wl || strncasecmp(s, word, wl) != 0)
		return false;
	return len == wl || isspace((unsigned char)s[wl]);
}

/* A directive word ("SKIP") may also be followed by a colon. */
static bool directive_word(const char *s, size_t len, const char *word)
{
	size_t wl = strlen(word);

	if (len > wl && s[wl] == ':' && strncasecmp(s, word, wl) == 0)
		return true;
	return starts_word(s, len, word);
}

static size_t skip_space(const char *s, size_t len, size_t i)
{
	while (i < len && isspace((unsigned char)s[i]))
		i++;
	return i;
}

const char *test_status_name(enum test_status st)
{
	static const char *const names[] = {"PASS", "FAIL", "SKIP", "ERROR", "XFAIL", "XPASS"};

	return (unsigned int)st < TEST_STATUS_COUNT ? names[st] : "?";
}

bool test_status_fails(enum test_status st)
{
	return st == TEST_FAIL || st == TEST_ERROR || st == TEST_XPASS;
}

/*
 * The directive after '#' (at i): which verdict it makes of an "ok" or a
 * "not ok", and its reference word for TODO/XPASS. Returns where the reason
 * starts. Anything else is a comment (ok) or the failure reason (not ok).
 */
static size_t parse_directive(const char *p, size_t len, size_t i, struct tap_line *t)
{
	static const struct {
		const char *word;
		bool ok; /* the directive of an "ok" (else of a "not ok") */
		enum test_status status;
		bool has_ref;
	} dirs[] = {
		{"skip", true, TEST_SKIP, false},  {"skipped", true, TEST_SKIP, false},
		{"todo", true, TEST_XPASS, true},  {"error", false, TEST_ERROR, false},
		{"todo", false, TEST_XFAIL, true}, {"xpass", false, TEST_XPASS, true},
	};
	bool ok = t->status == TEST_PASS;

	for (size_t d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++) {
		size_t wl = strlen(dirs[d].word), start;

		if (dirs[d].ok != ok || !directive_word(p + i, len - i, dirs[d].word))
			continue;
		t->status = dirs[d].status;
		i += wl;
		if (i < len && p[i] == ':')
			i++;
		i = skip_space(p, len, i);
		if (!dirs[d].has_ref)
			return i;
		start = i;
		while (i < len && !isspace((unsigned char)p[i]))
			i++;
		copy_trimmed(t->ref, sizeof(t->ref), p + start, i - start);
		return i;
	}
	return i;
}

bool serial_parse_tap(const char *payload, size_t len, struct tap_line *t)
{
	size_t i = skip_space(payload, len, 0);
	size_t start;

	memset(t, 0, sizeof(*t));
	if (starts_word(payload + i, len - i, "ok")) {
		t->status = TEST_PASS;
		i += 2;
	} else if (starts_word(payload + i, len - i, "not") &&
		   starts_word(payload + skip_space(payload, len, i + 3),
			       len - skip_space(payload, len, i + 3), "ok")) {
		t->status = TEST_FAIL;
		i = skip_space(payload, len, i + 3) + 2;
	} else {
		return false;
	}
	i = skip_space(payload, len, i);

	/* Tolerate "ok 3 - name" as TAP writes it. */
	start = i;
	while (i < len && isdigit((unsigned char)payload[i]))
		i++;
	if (i > start && (i == len || isspace((unsigned char)payload[i])))
		i = skip_space(payload, len, i);
	else
		i = start;
	if (i < len && payload[i] == '-' &&
	    (i + 1 == len || isspace((unsigned char)payload[i + 1])))
		i = skip_space(payload, len, i + 1);

	start = i;
	while (i < len && !isspace((unsigned char)payload[i]) && payload[i] != '#')
		i++;
	if (i == start)
		return false;
	copy_trimmed(t->name, sizeof(t->name), payload + start, i - start);

	i = skip_space(payload, len, i);
	if (i < len && payload[i] == '#') {
		i = skip_space(payload, len, i + 1);
		i = parse_directive(payload, len, i, t);
		copy_trimmed(t->reason, sizeof(t->reason), payload + i, len - i);
	} else if (i < len) {
		/* Text after the name without '#': keep it as the reason. */
		copy_trimmed(t->reason, sizeof(t->reason), payload + i, len - i);
	}
	return true;
}

bool serial_split_log(const char *payload, size_t len, const char **domain, size_t *dlen,
		      const char **text, size_t *tlen)
{
	size_t i = skip_space(payload, len, 0);
	size_t start = i;

	while (i < len && !isspace((unsigned char)payload[i]))
		i++;
	if (i == start)
		return false;
	*domain = payload + start;
	*dlen = i - start;
	if (i < len)
		i++; /* exactly one separator: the text keeps its own indentation */
	*text = payload + i;
	*tlen = len - i;
	return true;
}

bool serial_parse_matrix(const char *payload, size_t len, struct matrix_line *m)
{
	char *fields[4] = {m->row, m->col, m->expected, m->observed};
	size_t i = 0;

	memset(m, 0, sizeof(*m));
	for (size_t f = 0; f < 4; f++) {
		size_t start;

		i = skip_space(payload, len, i);
		start = i;
		while (i < len && !isspace((unsigned char)payload[i]))
			i++;
		if (i == start || i - start > MATRIX_WORD_MAX)
			return false;
		memcpy(fields[f], payload + start, i - start);
		fields[f][i - start] = '\0';
	}
	return skip_space(payload, len, i) == len;
}

const char *serial_crash_pattern(const char *line)
{
	const struct crash_pattern *p = crash_match(line, strlen(line), CRASH_CONSOLE);

	return p ? p->text : NULL;
}

bool serial_is_xen_start(const char *line)
{
	return strstr(line, "(XEN)") != NULL && strstr(line, "Xen version") != NULL;
}

bool serial_is_linux_start(const char *line)
{
	return strstr(line, "Linux version") != NULL;
}

bool serial_is_kvm_error(const char *line)
{
	return strstr(line, "KVM internal error") != NULL;
}

char *serial_sanitize_domain(const char *in, size_t len, char *out, size_t outsz)
{
	size_t n = 0;
	size_t max = outsz - 1 < 64 ? outsz - 1 : 64;

	for (size_t i = 0; i < len && n < max; i++) {
		char c = in[i];

		out[n++] = (isalnum((unsigned char)c) || c == '_' || c == '-') ? c : '_';
	}
	out[n] = '\0';
	if (n == 0)
		snprintf(out, outsz, "unknown");
	else if (strcmp(out, "serial") == 0 || strcmp(out, "serial-kvm") == 0)
		snprintf(out + n, outsz - n, "_");
	return out;
}
