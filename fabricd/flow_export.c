// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * IPFIX export with libfixbuf (fabricd/flow_export.h). One internal
 * template (struct fx_rec) transcoded to six external data templates:
 * {Ethernet only, IPv4, IPv6} x {without, with the InfiniBand IEs}; one
 * options template naming the partitions. docs/ipfix.md lists them.
 */
#include "fabricd/flow_export.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <fixbuf/public.h>

#include "lib/log.h"

LOG_MODULE(flow_export);

/* Spec flags: which external templates carry an element. */
#define F_V4 0x01u
#define F_V6 0x02u
#define F_IP 0x04u /* IPv4 or IPv6: protocol, ports, flags */
#define F_IB 0x08u
#define F_PAD 0x80u /* internal layout only */

enum { T_L2, T_V4, T_V6, T_L2_IB, T_V4_IB, T_V6_IB, T_MAX };

static const uint32_t t_flags[T_MAX] = {
	[T_L2] = 0,
	[T_V4] = F_V4 | F_IP,
	[T_V6] = F_V6 | F_IP,
	[T_L2_IB] = F_IB,
	[T_V4_IB] = F_V4 | F_IP | F_IB,
	[T_V6_IB] = F_V6 | F_IP | F_IB,
};

#define PEN FLOW_EXPORT_PEN
#define U FB_IE_F_ENDIAN

/* fabricd's enterprise elements (docs/ipfix.md keeps the same list). */
static fbInfoElement_t fabric_ies[] = {
	FB_IE_INIT_FULL("ibPKey", PEN, 1, 2, U | FB_IE_IDENTIFIER, 0, 0,
			FB_UINT_16, "InfiniBand partition key"),
	FB_IE_INIT_FULL("ibSourceLid", PEN, 2, 2, U | FB_IE_IDENTIFIER, 0, 0,
			FB_UINT_16, "InfiniBand source LID"),
	FB_IE_INIT_FULL("ibDestinationLid", PEN, 3, 2, U | FB_IE_IDENTIFIER, 0,
			0, FB_UINT_16, "InfiniBand destination LID"),
	FB_IE_INIT_FULL("ibSourceGid", PEN, 4, 16, FB_IE_DEFAULT, 0, 0,
			FB_IP6_ADDR, "InfiniBand source GID"),
	FB_IE_INIT_FULL("ibDestinationGid", PEN, 5, 16, FB_IE_DEFAULT, 0, 0,
			FB_IP6_ADDR, "InfiniBand destination GID"),
	FB_IE_INIT_FULL("ibSourceQpn", PEN, 6, 4, U | FB_IE_IDENTIFIER, 0, 0,
			FB_UINT_32, "InfiniBand source queue pair number"),
	FB_IE_INIT_FULL("ibDestinationQpn", PEN, 7, 4, U | FB_IE_IDENTIFIER, 0,
			0, FB_UINT_32,
			"InfiniBand destination queue pair number"),
	FB_IE_INIT_FULL("fabricPartitionName", PEN, 8, FB_IE_VARLEN,
			FB_IE_DEFAULT, 0, 0, FB_STRING,
			"fabricd partition (tenant) name"),
	FB_IE_NULL
};

/* The internal record: the spec below lists it member by member. */
struct fx_rec {
	uint64_t start_ms, end_ms, packets, bytes, l2_bytes;
	uint8_t src_ip6[16], dst_ip6[16], src_gid[16], dst_gid[16];
	uint32_t src_ip4, dst_ip4, in_if, out_if, src_qpn, dst_qpn;
	uint16_t src_port, dst_port, icmp4, icmp6, ethertype, vlan, pkey;
	uint16_t src_lid, dst_lid, tcp_flags;
	uint8_t src_mac[6], dst_mac[6];
	uint8_t proto, ip_version, end_reason;
	uint8_t pad[5];
};
_Static_assert(sizeof(struct fx_rec) == 168, "struct fx_rec has holes");

static fbInfoElementSpec_t rec_spec[] = {
	{ "flowStartMilliseconds", 8, 0 },
	{ "flowEndMilliseconds", 8, 0 },
	{ "packetDeltaCount", 8, 0 },
	{ "octetDeltaCount", 8, 0 },
	{ "layer2OctetDeltaCount", 8, 0 },
	{ "sourceIPv6Address", 16, F_V6 },
	{ "destinationIPv6Address", 16, F_V6 },
	{ "ibSourceGid", 16, F_IB },
	{ "ibDestinationGid", 16, F_IB },
	{ "sourceIPv4Address", 4, F_V4 },
	{ "destinationIPv4Address", 4, F_V4 },
	{ "ingressInterface", 4, 0 },
	{ "egressInterface", 4, 0 },
	{ "ibSourceQpn", 4, F_IB },
	{ "ibDestinationQpn", 4, F_IB },
	{ "sourceTransportPort", 2, F_IP },
	{ "destinationTransportPort", 2, F_IP },
	{ "icmpTypeCodeIPv4", 2, F_V4 },
	{ "icmpTypeCodeIPv6", 2, F_V6 },
	{ "ethernetType", 2, 0 },
	{ "vlanId", 2, 0 },
	{ "ibPKey", 2, 0 },
	{ "ibSourceLid", 2, F_IB },
	{ "ibDestinationLid", 2, F_IB },
	{ "tcpControlBits", 2, F_IP },
	{ "sourceMacAddress", 6, 0 },
	{ "destinationMacAddress", 6, 0 },
	{ "protocolIdentifier", 1, F_IP },
	{ "ipVersion", 1, F_IP },
	{ "flowEndReason", 1, 0 },
	{ "paddingOctets", 5, F_PAD },
	FB_IESPEC_NULL
};

/* Options record: (domain, PKey) -> partition name. */
struct fx_part {
	uint32_t domain;
	uint16_t pkey;
	uint8_t pad[2];
	fbVarfield_t name;
};
_Static_assert(sizeof(struct fx_part) == 24, "struct fx_part has holes");

static fbInfoElementSpec_t part_spec[] = { { "observationDomainId", 4, 0 },
					   { "ibPKey", 2, 0 },
					   { "paddingOctets", 2, F_PAD },
					   { "fabricPartitionName",
					     FB_IE_VARLEN, 0 },
					   FB_IESPEC_NULL };
#define PART_SCOPE 2

/*
 * Options record: the sampling of the domain (RFC 5477 elements), in a
 * template of its own with fixed-length fields only, the shape collectors
 * such as nfcapd look for.
 */
struct fx_sampling {
	uint32_t domain, interval, space;
};

static fbInfoElementSpec_t sampling_spec[] = { { "observationDomainId", 4, 0 },
					       { "samplingPacketInterval", 4,
						 0 },
					       { "samplingPacketSpace", 4, 0 },
					       FB_IESPEC_NULL };
#define SAMPLING_SCOPE 1

struct flow_export {
	struct flow_export_cfg cfg;
	char host[256];
	char svc[8];
	fbInfoModel_t *model;
	fbSession_t *session; /* owned by fbuf once it exists */
	fBuf_t *fbuf;
	uint16_t tid_rec, tid_part, tid_smp; /* internal */
	uint16_t ext[T_MAX], ext_part, ext_smp; /* external */
	int cur; /* external template set on fbuf, -1: none */
	struct flow_export_stats st;
};

static int gerr(char **error, GError *err, const char *what)
{
	if (error && asprintf(error, "%s: %s", what,
			      err ? err->message : "unknown error") < 0)
		*error = NULL;
	g_clear_error(&err);
	return -EIO;
}

/* A template of @spec with the elements @flags selects, added to the session. */
static uint16_t add_tmpl(struct flow_export *fx, fbInfoElementSpec_t *spec,
			 uint32_t flags, bool internal, uint16_t scope,
			 GError **err)
{
	fbTemplate_t *t = fbTemplateAlloc(fx->model);

	if (!fbTemplateAppendSpecArray(t, spec, flags, err)) {
		fbTemplateFreeUnused(t);
		return 0;
	}
	if (scope)
		fbTemplateSetOptionsScope(t, scope);
	return fbSessionAddTemplate(fx->session, internal, FB_TID_AUTO, t, err);
}

static int add_templates(struct flow_export *fx, char **error)
{
	GError *err = NULL;
	int i;

	/* RFC 5610 type records: collectors learn our enterprise IEs */
	if (!fbSessionSetMetadataExportElements(fx->session, TRUE, FB_TID_AUTO,
						&err))
		return gerr(error, err, "element type template");
	fx->tid_rec = add_tmpl(fx, rec_spec, UINT32_MAX, true, 0, &err);
	if (!fx->tid_rec)
		return gerr(error, err, "record template");
	fx->tid_part =
		add_tmpl(fx, part_spec, UINT32_MAX, true, PART_SCOPE, &err);
	fx->tid_smp = fx->tid_part ? add_tmpl(fx, sampling_spec, UINT32_MAX,
					      true, SAMPLING_SCOPE, &err) :
				     0;
	if (!fx->tid_smp)
		return gerr(error, err, "options template");
	for (i = 0; i < T_MAX; i++) {
		fx->ext[i] = add_tmpl(fx, rec_spec, t_flags[i], false, 0, &err);
		if (!fx->ext[i])
			return gerr(error, err, "export template");
	}
	fx->ext_part = add_tmpl(fx, part_spec, 0, false, PART_SCOPE, &err);
	fx->ext_smp = fx->ext_part ? add_tmpl(fx, sampling_spec, 0, false,
					      SAMPLING_SCOPE, &err) :
				     0;
	if (!fx->ext_smp)
		return gerr(error, err, "export options template");
	return 0;
}

/*
 * Resolve now as libfixbuf will (AI_ADDRCONFIG: the host needs an address
 * of the collector's family besides loopback), so that a collector it
 * cannot reach is an error of the command, not of every send.
 */
static int check_host(const struct flow_export *fx, char **error)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM,
				  .ai_flags = AI_ADDRCONFIG },
			*ai;
	int ret = getaddrinfo(fx->host, fx->svc, &hints, &ai);

	if (ret) {
		if (error &&
		    asprintf(error,
			     "collector %s: %s (this host needs an address "
			     "of the collector's family)",
			     fx->host, gai_strerror(ret)) < 0)
			*error = NULL;
		return -EHOSTUNREACH;
	}
	freeaddrinfo(ai);
	return 0;
}

static int open_exporter(struct flow_export *fx, char **error)
{
	fbConnSpec_t spec = FB_CONNSPEC_INIT;
	fbExporter_t *ex;
	GError *err = NULL;

	spec.transport = FB_UDP;
	spec.host = fx->host;
	spec.svc = fx->svc;
	ex = fbExporterAllocNet(&spec);
	if (!ex)
		return gerr(error, NULL, "cannot create the UDP exporter");
	fx->fbuf = fBufAllocForExport(fx->session, ex);
	if (!fx->fbuf) {
		return gerr(error, NULL, "cannot create the export buffer");
	}
	if (!fBufSetInternalTemplate(fx->fbuf, fx->tid_rec, &err))
		return gerr(error, err, "internal template");
	return 0;
}

/* libfixbuf's own warnings (glib's log) go to our log, rate-limited. */
static void glib_log(const gchar *domain, GLogLevelFlags level,
		     const gchar *msg, gpointer data)
{
	static struct log_ratelimit rl = LOG_RATELIMIT_INIT(1, 10);

	VLOG_WARN_RL(&rl, "libfixbuf: %s", msg);
}

struct flow_export *flow_export_create(const struct flow_export_cfg *cfg,
				       char **error)
{
	struct flow_export *fx = calloc(1, sizeof(*fx));
	int ret;

	if (error)
		*error = NULL;
	if (!fx)
		return NULL;
	fx->cfg = *cfg;
	fx->cur = -1;
	snprintf(fx->host, sizeof(fx->host), "%s", cfg->host);
	snprintf(fx->svc, sizeof(fx->svc), "%u", cfg->port);
	fx->cfg.host = fx->host;
	ret = check_host(fx, error);
	if (ret)
		goto err;
	g_log_set_default_handler(glib_log, NULL);
	fx->model = fbInfoModelAlloc();
	fbInfoModelAddElementArray(fx->model, fabric_ies);
	fx->session = fbSessionAlloc(fx->model);
	fbSessionSetDomain(fx->session, cfg->domain);
	ret = add_templates(fx, error);
	if (!ret)
		ret = open_exporter(fx, error);
	if (ret)
		goto err;
	return fx;
err:
	flow_export_destroy(fx);
	errno = -ret;
	return NULL;
}

void flow_export_destroy(struct flow_export *fx)
{
	if (!fx)
		return;
	if (fx->fbuf) {
		flow_export_flush(fx);
		fBufFree(fx->fbuf); /* frees the session and the exporter */
	} else if (fx->session) {
		fbSessionFree(fx->session);
	}
	if (fx->model)
		fbInfoModelFree(fx->model);
	free(fx);
}

/* Records of internal template @tid_int go out as external @tid_ext. */
static int use_template(struct flow_export *fx, uint16_t tid_int,
			uint16_t tid_ext)
{
	GError *err = NULL;

	if (fx->cur == tid_ext)
		return 0;
	if (!fBufSetInternalTemplate(fx->fbuf, tid_int, &err) ||
	    !fBufSetExportTemplate(fx->fbuf, tid_ext, &err)) {
		VLOG_WARN("template: %s", err ? err->message : "?");
		g_clear_error(&err);
		fx->cur = -1;
		return -EIO;
	}
	fx->cur = tid_ext;
	return 0;
}

static int append(struct flow_export *fx, void *rec, size_t len)
{
	static struct log_ratelimit rl = LOG_RATELIMIT_INIT(1, 10);
	GError *err = NULL;

	fBufSetExportTime(fx->fbuf, (uint32_t)time(NULL));
	if (fBufAppend(fx->fbuf, rec, len, &err))
		return 0;
	VLOG_WARN_RL(&rl, "export to %s:%s: %s", fx->host, fx->svc,
		     err ? err->message : "?");
	g_clear_error(&err);
	fx->st.errors++;
	return -EIO;
}

static int send_options(struct flow_export *fx,
			const struct flow_export_part *parts, size_t n)
{
	struct fx_sampling smp = { .domain = fx->cfg.domain, .interval = 1 };
	struct fx_part o = { .domain = fx->cfg.domain };
	size_t i;
	int ret;

	smp.space = fx->cfg.sampling > 1 ? fx->cfg.sampling - 1 : 0;
	ret = use_template(fx, fx->tid_smp, fx->ext_smp);
	if (!ret)
		ret = append(fx, &smp, sizeof(smp));
	if (!ret)
		ret = use_template(fx, fx->tid_part, fx->ext_part);
	for (i = 0; i < n && !ret; i++) {
		o.pkey = parts[i].pkey;
		o.name.buf = (uint8_t *)parts[i].name;
		o.name.len = strlen(parts[i].name);
		ret = append(fx, &o, sizeof(o));
	}
	return ret;
}

int flow_export_templates(struct flow_export *fx,
			  const struct flow_export_part *parts, size_t n)
{
	GError *err = NULL;

	fBufSetExportTime(fx->fbuf, (uint32_t)time(NULL));
	if (!fbSessionExportTemplates(fx->session, &err)) {
		VLOG_WARN("templates to %s:%s: %s", fx->host, fx->svc,
			  err ? err->message : "?");
		g_clear_error(&err);
		fx->st.errors++;
		return -EIO;
	}
	fx->st.template_sends++;
	return send_options(fx, parts, n) ?: flow_export_flush(fx);
}

static uint32_t ip4(const uint8_t *a)
{
	uint32_t v;

	memcpy(&v, a, 4);
	return ntohl(v);
}

static uint64_t wall_offset_ms(void)
{
	struct timespec rt, mono;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	return (uint64_t)(rt.tv_sec - mono.tv_sec) * 1000 +
	       (uint64_t)((rt.tv_nsec - mono.tv_nsec) / 1000000);
}

/* Fill @x from @r; returns the external template it goes with. */
static int to_fx(struct fx_rec *x, const struct flow_record *r, uint64_t off)
{
	const struct flow_key *k = &r->key;

	memset(x, 0, sizeof(*x));
	x->start_ms = r->start_ms + off;
	x->end_ms = r->end_ms + off;
	x->packets = r->packets;
	x->bytes = r->bytes;
	x->l2_bytes = r->l2_bytes;
	memcpy(x->src_ip6, k->src_ip, 16);
	memcpy(x->dst_ip6, k->dst_ip, 16);
	x->src_ip4 = ip4(k->src_ip);
	x->dst_ip4 = ip4(k->dst_ip);
	x->in_if = r->in_ifindex;
	x->out_if = r->out_ifindex;
	x->src_port = k->src_port;
	x->dst_port = k->dst_port;
	x->icmp4 = x->icmp6 = k->icmp_type_code;
	x->ethertype = k->ethertype;
	x->vlan = k->vlan;
	x->pkey = r->pkey;
	x->tcp_flags = r->tcp_flags;
	memcpy(x->src_mac, k->src_mac, 6);
	memcpy(x->dst_mac, k->dst_mac, 6);
	x->proto = k->proto;
	x->ip_version = k->ip_version;
	x->end_reason = r->end_reason;
	memcpy(x->src_gid, r->ib.src_gid, 16);
	memcpy(x->dst_gid, r->ib.dst_gid, 16);
	x->src_qpn = r->ib.src_qpn;
	x->dst_qpn = r->ib.dst_qpn;
	x->src_lid = r->ib.src_lid;
	x->dst_lid = r->ib.dst_lid;
	return (k->ip_version == 4 ? T_V4 :
		k->ip_version == 6 ? T_V6 :
				     T_L2) +
	       (r->has_ib ? T_L2_IB : 0);
}

int flow_export_records(struct flow_export *fx, const struct flow_record *r,
			size_t n)
{
	uint64_t off = wall_offset_ms();
	struct fx_rec x;
	size_t i;
	int ret = 0;

	for (i = 0; i < n; i++) {
		int t = to_fx(&x, &r[i], off);

		if (use_template(fx, fx->tid_rec, fx->ext[t]) ||
		    append(fx, &x, sizeof(x))) {
			ret = -EIO;
			continue;
		}
		fx->st.records++;
	}
	return ret;
}

int flow_export_flush(struct flow_export *fx)
{
	static struct log_ratelimit rl = LOG_RATELIMIT_INIT(1, 10);
	GError *err = NULL;

	if (fBufEmit(fx->fbuf, &err))
		return 0;
	VLOG_WARN_RL(&rl, "export to %s:%s: %s", fx->host, fx->svc,
		     err ? err->message : "?");
	g_clear_error(&err);
	fx->st.errors++;
	return -EIO;
}

void flow_export_get_stats(const struct flow_export *fx,
			   struct flow_export_stats *st)
{
	*st = fx->st;
}
