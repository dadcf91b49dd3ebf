/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gntlab conductor protocol: how dom0 drives the guest agent over xenstore.
 * Included by the dom0 conductor and by the guest agent; see docs/protocol.md.
 *
 * Everything lives under the guest's own data directory, which the toolstack
 * creates writable by the guest:
 *
 *   /local/domain/<guest>/data/gntlab/
 *       ready   guest -> dom0  "<abi> <agent-pid>" once the agent is up
 *       refs    dom0 -> guest  "<granter-domid> <ref> <ref> ..."
 *       cmd     dom0 -> guest  "<seq> <verb> [args...]"
 *       ack     guest -> dom0  "<seq> <rc> [text]"   rc 0 = ok, else errno/1
 *       obs/<key> guest -> dom0 observations of the last command (free text)
 *       req     guest -> dom0  "<seq> <verb> [args...]"  a guest test's request
 *       rsp     dom0 -> guest  "<seq> <rc> [text]"       dom0's answer
 *       share/<id>/<k> dom0 -> guest  refs of share <id>, chunk k ("<domid> <ref>...")
 *
 * dom0 writes cmd only after it saw the ack of the previous seq; both sides
 * wait with xenstore watches and a timeout, never by polling.
 *
 * After its first request (`chan`, over xenstore), a guest program sends its
 * requests through a page it grants to dom0 and an event channel instead
 * (struct gntlab_chan below): the same text, fewer hops.
 *
 * The verbs of both channels are defined once, in the tables below
 * (gntlab_proto.c), which drive dispatch on both sides and print
 * themselves (`gntlab-conductor --list-verbs`, `gntlab-agent --list-verbs`);
 * docs/protocol.md carries the same tables and `make unit` checks it does.
 */
#ifndef GNTLAB_PROTO_H
#define GNTLAB_PROTO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define GNTLAB_XS_DIR "data/gntlab"
#define GNTLAB_XS_READY "ready"
#define GNTLAB_XS_REFS "refs"
#define GNTLAB_XS_CMD "cmd"
#define GNTLAB_XS_ACK "ack"
#define GNTLAB_XS_OBS "obs"
#define GNTLAB_XS_REQ "req"
#define GNTLAB_XS_RSP "rsp"
#define GNTLAB_XS_SHARE "share"
/* Refs per share/<id>/<k> value: stays below XENSTORE_PAYLOAD_MAX (4096). */
#define GNTLAB_REFS_PER_CHUNK 256

#define GNTLAB_PROTO_MAX_REFS 4096
#define GNTLAB_PROTO_MAX_LINE 65536
#define GNTLAB_PAGE_SIZE 4096u

/*
 * The request channel (verb `chan`): one page the guest program grants to
 * dom0 (gntalloc) and an event channel port the guest allocated for dom0.
 * One request at a time, in the same text as req/rsp. The guest writes
 * `req`, then `req_seq` (release), then notifies; dom0 serves a request
 * when `req_seq` differs from the last one it served, writes `rsp`, then
 * `rsp_seq` (release), then notifies. Each side reads the text only after
 * the sequence number (acquire), and copies it before parsing.
 */
#define GNTLAB_CHAN_MAGIC 0x676e7463u	/* "gntc" */
#define GNTLAB_CHAN_TEXT 2000
struct gntlab_chan {
	uint32_t magic;		/* written by the guest before `chan` */
	uint32_t req_seq;	/* guest -> dom0: the request in `req` */
	uint32_t rsp_seq;	/* dom0 -> guest: the answer in `rsp` */
	uint32_t reserved;
	char req[GNTLAB_CHAN_TEXT];	/* "<seq> <verb> [args]", NUL-terminated */
	char rsp[GNTLAB_CHAN_TEXT];	/* "<seq> <rc> [text]" */
};
_Static_assert(sizeof(struct gntlab_chan) <= GNTLAB_PAGE_SIZE, "one page");

/* Byte j of page i of the pattern with this seed. */
static inline uint8_t gntlab_pattern_byte(uint32_t seed, uint32_t page,
					  uint32_t off)
{
	uint32_t x = seed * 2654435761u ^ (page * 40503u + off * 7u + 1u);

	x ^= x >> 13;
	x *= 0x5bd1e995u;
	x ^= x >> 15;
	return (uint8_t)x;
}

struct gntlab_refs {
	uint32_t domid;
	uint32_t count;
	uint32_t ref[GNTLAB_PROTO_MAX_REFS];
};

struct gntlab_cmd {
	uint32_t seq;
	char verb[16];
	char args[1024];
};

struct gntlab_ack {
	uint32_t seq;
	int rc;
	char text[240];
};

/* One verb of a channel: its name and what it means, for dispatch and docs. */
struct gntlab_verb {
	const char *name;
	const char *args;	/* argument synopsis, "" if none */
	const char *does;	/* what the serving side does */
	const char *reply;	/* what the rc / text of the answer mean */
};

/* dom0 -> guest commands (cmd/ack), served by the guest agent. */
enum gntlab_cmd_id {
	GNTLAB_CMD_MAP, GNTLAB_CMD_UNMAP, GNTLAB_CMD_PROBE_REVOKED, GNTLAB_CMD_SUITE,
	GNTLAB_CMD_GRANT, GNTLAB_CMD_CHECK_GRANT, GNTLAB_CMD_PEEK, GNTLAB_CMD_UNGRANT,
	GNTLAB_CMD_UNLOAD, GNTLAB_CMD_DEMO, GNTLAB_CMD_BENCH, GNTLAB_CMD_GALLOC,
	GNTLAB_CMD_GNOTIFY, GNTLAB_CMD_GREVOKE, GNTLAB_CMD_GPEEK, GNTLAB_CMD_GCHECK,
	GNTLAB_CMD_GKMSG, GNTLAB_CMD_GEVBIND, GNTLAB_CMD_GEVWAIT, GNTLAB_CMD_QUIT,
	GNTLAB_CMD_SOAK, GNTLAB_CMD_COUNT
};
extern const struct gntlab_verb gntlab_cmd_verbs[GNTLAB_CMD_COUNT];

/* guest -> dom0 requests (req/rsp), served by the conductor. */
enum gntlab_req_id {
	GNTLAB_REQ_SHARE, GNTLAB_REQ_UNSHARE, GNTLAB_REQ_FILL, GNTLAB_REQ_CHECK,
	GNTLAB_REQ_ACTIVE, GNTLAB_REQ_FRAMES, GNTLAB_REQ_LEAKCHECK, GNTLAB_REQ_BYTE,
	GNTLAB_REQ_EVTCHN_BIND, GNTLAB_REQ_EVTCHN_WAIT, GNTLAB_REQ_EVTCHN_CLOSE,
	GNTLAB_REQ_DIAG, GNTLAB_REQ_BENCH, GNTLAB_REQ_MATRIX, GNTLAB_REQ_RESULT,
	GNTLAB_REQ_SOAK, GNTLAB_REQ_CHAN, GNTLAB_REQ_COUNT
};
extern const struct gntlab_verb gntlab_req_verbs[GNTLAB_REQ_COUNT];

/* Index of verb in table t (n entries), -1 if it is not there. */
int gntlab_verb_find(const struct gntlab_verb *t, int n, const char *verb);
/* The table as docs/protocol.md has it: a markdown table, one verb a row. */
void gntlab_verbs_markdown(FILE *f, const struct gntlab_verb *t, int n);
/* Both tables, with their headings (--list-verbs). */
void gntlab_verbs_print(FILE *f);

/* Fill `len` bytes of page `page` starting at `off` with pattern(seed). */
void gntlab_pattern_fill(void *buf, uint32_t seed, uint32_t page, uint32_t off,
			 size_t len);
/* Returns the first mismatching offset within the range, or -1 if intact. */
long gntlab_pattern_check(const void *buf, uint32_t seed, uint32_t page,
			  uint32_t off, size_t len);

/* Parsers and formatters: return 0 on success, -1 on malformed input. */
int gntlab_refs_parse(const char *s, struct gntlab_refs *out);
int gntlab_refs_format(const struct gntlab_refs *r, char *buf, size_t len);
int gntlab_cmd_parse(const char *s, struct gntlab_cmd *out);
int gntlab_ack_parse(const char *s, struct gntlab_ack *out);

#endif /* GNTLAB_PROTO_H */
