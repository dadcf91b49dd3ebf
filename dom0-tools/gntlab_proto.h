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
 * Verbs (args in brackets):
 *   map [ro|rw] [seed]   map all refs through /dev/gntlab, check the granter's
 *                        pattern(seed); if rw, write the reply pattern(seed+1)
 *                        into the second half of every page. Keeps it mapped.
 *   unmap                munmap + GNTLAB_IOC_UNMAP; ack when the module's
 *                        counters are back to zero.
 *   suite [filter]       run the guest test program (gntlab-guest-tests)
 *                        with the filter; ack rc = its exit status. While it
 *                        runs, dom0 serves its requests (below).
 *   grant <n> <seed>     the guest shares n pages with dom0 (its gntalloc),
 *                        filled with pattern(seed); refs in "grefs"
 *   check-grant <seed> <off> <len>   the granted pages hold pattern(seed)?
 *   ungrant              the guest revokes what it granted
 *   bench                run /bin/gntlab-bench (make bench); ack rc = its
 *                        exit status. dom0 serves its requests meanwhile.
 *   quit                 the agent exits (ack first).
 *
 * Requests (req/rsp) a guest test sends to dom0, the granter:
 *   share <count> <rw|ro> <seed>   dom0 shares count pages filled with
 *                                  pattern(seed); rsp "<id> <chunks>", refs in
 *                                  share/<id>/<0..chunks-1>
 *   unshare <id>                   dom0 revokes (xengntshr_unshare)
 *   fill <id> <seed>               dom0 refills the pages with pattern(seed)
 *   check <id> <seed> <off> <len>  dom0 checks [off, off+len) of every page;
 *                                  rc 0 intact, else rsp names the first bad byte
 *   active <id>                    rsp "<n>": refs of the share Xen lists as
 *                                  mapped (active pin != 0)
 *   frames <id> <page>             rsp "<pfn> <mfn>": dom0's own PFN of the page
 *                                  (/proc/self/pagemap) and its MFN (Xen's grant
 *                                  table entry), mfn 0 if Xen shows it unmapped
 *   leakcheck                      revokes what the test left shared; rc 0 if
 *                                  Xen lists no grant of dom0 mapped by the guest
 *   byte <id> <page> <off>         rsp "<v>": that byte of dom0's page (0..255)
 *   evtchn-bind <guest port>       dom0 binds an interdomain event channel to
 *                                  the guest's unbound port and consumes the
 *                                  event Xen marks pending at bind time;
 *                                  rsp "<dom0 port> drained <0|1>"
 *   evtchn-wait <ms> [<id> <page> <off>]   dom0 waits for that channel's event;
 *                                  on arrival first reads the byte and counts
 *                                  the share's refs Xen lists as mapped; rsp
 *                                  "fired <0|1> byte <v|-1> active <n|-1> waited <ms>"
 *   evtchn-close                   dom0 unbinds the channel
 *   diag <text>                    dom0 prints it as GNTLAB-DIAG
 *   bench <json>                   dom0 prints "GNTLAB-LOG bench <json>" (make bench)
 *   matrix <row> <col> <expected> <observed>   dom0 prints GNTLAB-MATRIX
 *   result <ok|fail|skip> <name> [reason]   dom0 prints it as GNTLAB-TAP
 */
#ifndef GNTLAB_PROTO_H
#define GNTLAB_PROTO_H

#include <stddef.h>
#include <stdint.h>

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
