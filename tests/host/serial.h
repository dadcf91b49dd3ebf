// SPDX-License-Identifier: GPL-2.0
/*
 * Serial console stream: turning bytes into lines, and lines into what they
 * mean (markers of tests/markers.h, boot milestones, crash reports).
 *
 * Everything here is pure string work so the unit tests can feed it the odd
 * things a real serial line carries: CR/LF mixtures, NUL bytes, lines that
 * never end, markers behind "(XEN) " or behind other noise.
 */
#ifndef GNTLAB_HOST_SERIAL_H
#define GNTLAB_HOST_SERIAL_H

#include <stdbool.h>
#include <stddef.h>

/* Longer lines are cut into pieces of this length (each piece is a line). */
#define SERIAL_MAX_LINE 16384

struct linebuf {
	char buf[SERIAL_MAX_LINE + 1];
	size_t len;
	bool prev_cr;
	/*
	 * A marker line another writer broke into (see gntlab_foreign_line_at
	 * in tests/markers.h): its first part, waiting for the rest.
	 */
	char pend[SERIAL_MAX_LINE + 1];
	size_t pend_len;
	bool pend_log;      /* it is a GNTLAB-LOG line (may carry timestamps) */
	unsigned pend_held; /* foreign lines seen while it waits */
	char work[2 * SERIAL_MAX_LINE + 1];
};

/* Called with each complete line, NUL-terminated, without its terminator. */
typedef void (*line_fn)(void *ctx, const char *line, size_t len);

void linebuf_init(struct linebuf *lb);
/*
 * Split bytes into lines. "\n", "\r\n" and a lone "\r" end a line (a lone CR
 * is how consoles redraw a line: the text after it is a new line for us);
 * NUL bytes are dropped; a line reaching SERIAL_MAX_LINE is emitted in pieces.
 *
 * A marker line with a Xen or kernel console line inside it (the other
 * writers of the serial line, tests/markers.h) is taken apart again: the
 * foreign line is emitted first, the marker once its rest has come (the
 * next line that is not itself foreign), joined to it.
 */
void linebuf_feed(struct linebuf *lb, const char *data, size_t n, line_fn fn, void *ctx);
/* Emit a pending partial line (at end of stream). */
void linebuf_flush(struct linebuf *lb, line_fn fn, void *ctx);

enum marker_kind {
	MARK_NONE = 0,
	MARK_PHASE,
	MARK_DIAG,
	MARK_TAP,
	MARK_LOG,
	MARK_END,
	MARK_MATRIX,
};

struct marker {
	enum marker_kind kind;
	const char *payload; /* points into the line; not NUL-terminated */
	size_t payload_len;  /* trailing white space trimmed */
};

/*
 * Find the first GNTLAB marker anywhere in the line. The marker word must be
 * followed by a space or the end of the line. Returns false if there is none.
 */
bool serial_find_marker(const char *line, struct marker *m);

/* The verdicts of tests/markers.h (and the harness's enum th_verdict). */
enum test_status {
	TEST_PASS = 0,
	TEST_FAIL,  /* the code under test is wrong */
	TEST_SKIP,  /* a capability is missing */
	TEST_ERROR, /* the test or its environment broke; also a missing test */
	TEST_XFAIL, /* failed as expected (ref names the known bug) */
	TEST_XPASS, /* expected to fail (ref) but passed */
};
#define TEST_STATUS_COUNT (TEST_XPASS + 1)

/* "PASS", "FAIL", "SKIP", "ERROR", "XFAIL", "XPASS". */
const char *test_status_name(enum test_status st);
/* Does this verdict fail the run? (FAIL, ERROR, XPASS) */
bool test_status_fails(enum test_status st);

#define TAP_NAME_MAX   256
#define TAP_REF_MAX    128
#define TAP_REASON_MAX 1024

struct tap_line {
	enum test_status status;
	char name[TAP_NAME_MAX];
	char ref[TAP_REF_MAX];	     /* XFAIL/XPASS: the known bug; "" otherwise */
	char reason[TAP_REASON_MAX]; /* skip/failure reason or comment; "" if none */
};

/*
 * Parse a GNTLAB-TAP payload (grammar in tests/markers.h):
 *   ok NAME                        PASS (text after '#' is a comment)
 *   ok NAME # SKIP WHY             SKIP
 *   not ok NAME # WHY              FAIL
 *   not ok NAME # ERROR WHY        ERROR
 *   not ok NAME # TODO REF WHY     XFAIL
 *   not ok NAME # XPASS REF WHY    XPASS (also "ok NAME # TODO REF WHY",
 *                                  TAP's own way of saying it)
 * Directive words are case-insensitive and may end in ':'. A TAP number and
 * "-" before the name are tolerated. "not ok ... # SKIP" stays a failure: a
 * test that failed does not become a skip by saying so. Returns false if the
 * payload is not a test line.
 */
bool serial_parse_tap(const char *payload, size_t len, struct tap_line *t);

/*
 * Split a GNTLAB-LOG payload "<domain> <text>" into the domain and the
 * text (pointers into payload). Returns false if there is no domain.
 */
bool serial_split_log(const char *payload, size_t len, const char **domain, size_t *dlen,
		      const char **text, size_t *tlen);

/* Longest row, column or outcome of a GNTLAB-MATRIX line. */
#define MATRIX_WORD_MAX 64

struct matrix_line {
	char row[MATRIX_WORD_MAX + 1];	    /* GUP user: gup-slow, odirect-read... */
	char col[MATRIX_WORD_MAX + 1];	    /* mapping mode: special, nohook, pfnmap */
	char expected[MATRIX_WORD_MAX + 1]; /* outcomes: ok, EFAULT, SIGSEGV... */
	char observed[MATRIX_WORD_MAX + 1];
};

/*
 * Parse a GNTLAB-MATRIX payload "<row> <col> <expected> <observed>": exactly
 * four words, none longer than MATRIX_WORD_MAX. Returns false otherwise (a
 * fifth word would mean an outcome with a space: the cell would be misread).
 */
bool serial_parse_matrix(const char *payload, size_t len, struct matrix_line *m);

/*
 * The crash pattern the console line contains, or NULL: the list and the
 * matching rules are tests/crash_patterns.h's (CRASH_CONSOLE).
 */
const char *serial_crash_pattern(const char *line);

/* Milestones seen only in free text. */
bool serial_is_xen_start(const char *line);   /* "(XEN)" ... "Xen version" */
bool serial_is_linux_start(const char *line); /* "Linux version" */
bool serial_is_kvm_error(const char *line);   /* "KVM internal error" */

/*
 * Make a domain name safe as a file name: characters outside [A-Za-z0-9_-]
 * become '_', at most 64 characters, "" becomes "unknown", and "serial" (our
 * own serial.log) becomes "serial_". Returns out.
 */
char *serial_sanitize_domain(const char *in, size_t len, char *out, size_t outsz);

#endif /* GNTLAB_HOST_SERIAL_H */
