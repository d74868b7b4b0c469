// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Text-level edits of a policy file. libyaml marks give byte offsets of
 * scalars and flow collections exactly; the end of a block collection is
 * found as the end of its last scalar, so that comments after it stay where
 * they are.
 */
#include "lib/policy_edit.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "lib/util.h"

/* One entry of a collection as written: a node, or an alias of one. */
struct wkid {
	int parent; /* collection node id; 0 for the root */
	int target; /* the node it is, or the anchored node it names */
	bool alias;
	size_t start, end; /* byte offsets of what is written there */
	struct policy_loc loc; /* where it is written */
};

struct doc {
	yaml_document_t d;
	const char *text;
	size_t len;
	bool crlf; /* the file ends its lines with CR LF */
	/* libyaml counts characters: the byte offset after each non-ASCII one */
	size_t *mb_char, *mb_extra, n_mb;
	size_t bom; /* bytes of a UTF-8 byte order mark, which it skips */
	struct wkid *kids; /* grouped by parent, in written order */
	size_t n_kids, *first_kid; /* per node id: its first entry in kids */
	unsigned int *refs; /* per node id: entries that are (or name) it */
	char **anchor; /* per node id: its anchor name, or NULL */
	int n_nodes;
	char *why;
	size_t why_len;
};

static int fail(struct doc *doc, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct doc *doc, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(doc->why, doc->why_len, fmt, ap);
	va_end(ap);
	return err;
}

static yaml_node_t *node(struct doc *doc, int id)
{
	return yaml_document_get_node(&doc->d, id);
}

static int node_id(struct doc *doc, const yaml_node_t *n)
{
	return (int)(n - doc->d.nodes.start) + 1;
}

/* ---- positions: characters to bytes, and what is written where -------- */

/* Byte offset of character @idx (libyaml marks count characters). */
static size_t byte_at(const struct doc *doc, size_t idx)
{
	size_t lo = 0, hi = doc->n_mb;

	while (lo < hi) { /* first non-ASCII character at or after @idx */
		size_t mid = (lo + hi) / 2;

		if (doc->mb_char[mid] < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return doc->bom + idx + (lo ? doc->mb_extra[lo - 1] : 0);
}

static int index_multibyte(struct doc *doc)
{
	size_t i, c = 0, extra = 0, n = 0;

	if (!strncmp(doc->text, "\xef\xbb\xbf", 3))
		doc->bom = 3;
	for (i = doc->bom; i < doc->len; i++)
		n += (unsigned char)doc->text[i] >= 0xc0;
	doc->mb_char = calloc(n + 1, sizeof(size_t));
	doc->mb_extra = calloc(n + 1, sizeof(size_t));
	if (!doc->mb_char || !doc->mb_extra)
		return -ENOMEM;
	for (i = doc->bom; i < doc->len; i++) {
		unsigned char b = (unsigned char)doc->text[i];

		if ((b & 0xc0) == 0x80 && doc->n_mb) {
			extra++;
			doc->mb_extra[doc->n_mb - 1] = extra;
			continue;
		}
		if (b >= 0xc0) {
			doc->mb_char[doc->n_mb] = c;
			doc->mb_extra[doc->n_mb++] = extra;
		}
		c++;
	}
	return 0;
}

static size_t node_start(const struct doc *doc, const yaml_node_t *n)
{
	return byte_at(doc, n->start_mark.index);
}

struct scan {
	int *stack, depth, count;
	struct wkid *kids;
	size_t cap;
};

static int scan_kid(struct doc *doc, struct scan *sc, int target, bool alias,
		    const yaml_event_t *e)
{
	struct wkid *k;

	if (doc->n_kids == sc->cap) {
		size_t cap = sc->cap ? sc->cap * 2 : 64;

		k = realloc(sc->kids, cap * sizeof(*k));
		if (!k)
			return -ENOMEM;
		sc->kids = k;
		sc->cap = cap;
	}
	k = &sc->kids[doc->n_kids++];
	k->parent = sc->depth ? sc->stack[sc->depth - 1] : 0;
	k->target = target;
	k->alias = alias;
	k->start = byte_at(doc, e->start_mark.index);
	k->end = byte_at(doc, e->end_mark.index);
	k->loc.line = (unsigned int)e->start_mark.line + 1;
	k->loc.col = (unsigned int)e->start_mark.column + 1;
	return 0;
}

static int anchor_id(struct doc *doc, const char *name)
{
	int i;

	for (i = 1; name && i <= doc->n_nodes; i++)
		if (doc->anchor[i] && !strcmp(doc->anchor[i], name))
			return i; /* the latest definition wins, as in libyaml */
	return 0;
}

/* One event of the first document: record the node or alias it writes. */
static int scan_event(struct doc *doc, struct scan *sc, const yaml_event_t *e)
{
	const yaml_char_t *anchor = NULL;
	int id;

	switch (e->type) {
	case YAML_ALIAS_EVENT:
		id = anchor_id(doc, (const char *)e->data.alias.anchor);
		return id ? scan_kid(doc, sc, id, true, e) : -EINVAL;
	case YAML_SCALAR_EVENT:
		anchor = e->data.scalar.anchor;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = e->data.sequence_start.anchor;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = e->data.mapping_start.anchor;
		break;
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		sc->depth--;
		return 0;
	default:
		return 0;
	}
	id = ++sc->count;
	if (id > doc->n_nodes)
		return -EINVAL;
	if (anchor) {
		/* a redefined anchor: later aliases name the new node */
		int old = anchor_id(doc, (const char *)anchor);

		if (old)
			doc->anchor[old][0] = '\0';
		doc->anchor[id] = strdup((const char *)anchor);
		if (!doc->anchor[id])
			return -ENOMEM;
	}
	if (scan_kid(doc, sc, id, false, e))
		return -ENOMEM;
	if (e->type != YAML_SCALAR_EVENT)
		sc->stack[sc->depth++] = id;
	return 0;
}

/* Group the entries by parent (stable), count references per node. */
static int index_kids(struct doc *doc, struct wkid *kids)
{
	size_t i, *at;
	int p;

	doc->kids = malloc((doc->n_kids + 1) * sizeof(*doc->kids));
	at = calloc((size_t)doc->n_nodes + 2, sizeof(*at));
	if (!doc->kids || !at) {
		free(at);
		return -ENOMEM;
	}
	for (i = 0; i < doc->n_kids; i++) {
		doc->first_kid[kids[i].parent + 1]++;
		doc->refs[kids[i].target]++;
	}
	for (p = 1; p <= doc->n_nodes + 1; p++)
		doc->first_kid[p] += doc->first_kid[p - 1];
	for (i = 0; i < doc->n_kids; i++)
		doc->kids[doc->first_kid[kids[i].parent] + at[kids[i].parent]++] =
			kids[i];
	free(at);
	return 0;
}

/*
 * A second pass over the text as events: the document API resolves
 * aliases away, but an edit must know what is written where. Node ids
 * follow the order of the events that create nodes, as in yaml_parser_load.
 */
static int scan_written(struct doc *doc)
{
	struct scan sc = { .depth = 0 };
	size_t n = (size_t)doc->n_nodes + 2;
	yaml_parser_t p;
	yaml_event_t e;
	int ret = 0;
	bool done = false;

	sc.stack = calloc(n, sizeof(int));
	doc->first_kid = calloc(n, sizeof(size_t));
	doc->refs = calloc(n, sizeof(unsigned int));
	doc->anchor = calloc(n, sizeof(char *));
	if (!sc.stack || !doc->first_kid || !doc->refs || !doc->anchor ||
	    !yaml_parser_initialize(&p)) {
		free(sc.stack);
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)doc->text,
				     doc->len);
	while (!ret && !done) {
		if (!yaml_parser_parse(&p, &e)) {
			ret = -EINVAL;
			break;
		}
		done = e.type == YAML_DOCUMENT_END_EVENT ||
		       e.type == YAML_STREAM_END_EVENT;
		ret = scan_event(doc, &sc, &e);
		yaml_event_delete(&e);
	}
	yaml_parser_delete(&p);
	if (!ret)
		ret = index_kids(doc, sc.kids);
	free(sc.kids);
	free(sc.stack);
	return ret;
}

static void doc_free(struct doc *doc)
{
	int i;

	for (i = 0; doc->anchor && i <= doc->n_nodes; i++)
		free(doc->anchor[i]);
	free(doc->anchor);
	free(doc->refs);
	free(doc->first_kid);
	free(doc->kids);
	free(doc->mb_char);
	free(doc->mb_extra);
	yaml_document_delete(&doc->d);
}

static int doc_load(struct doc *doc, const char *text)
{
	const char *nl;
	yaml_parser_t p;
	int ok;

	doc->text = text;
	doc->len = strlen(text);
	nl = strchr(text, '\n');
	doc->crlf = nl && nl > text && nl[-1] == '\r';
	if (!yaml_parser_initialize(&p))
		return -ENOMEM;
	yaml_parser_set_input_string(&p, (const unsigned char *)text, doc->len);
	ok = yaml_parser_load(&p, &doc->d);
	yaml_parser_delete(&p);
	if (!ok)
		return fail(
			doc, -EINVAL,
			"the file is not valid YAML; run 'fabricctl policy check' on it");
	if (!yaml_document_get_root_node(&doc->d)) {
		yaml_document_delete(&doc->d);
		return fail(doc, -EINVAL, "the file is empty");
	}
	doc->n_nodes = (int)(doc->d.nodes.top - doc->d.nodes.start);
	if (index_multibyte(doc) || scan_written(doc)) {
		doc_free(doc);
		return fail(doc, -ENOMEM, "out of memory");
	}
	return 0;
}

/* Entry @idx of collection @parent as written (mappings: key, value...). */
static const struct wkid *kid(const struct doc *doc, const yaml_node_t *parent,
			      size_t idx)
{
	int id = (int)(parent - doc->d.nodes.start) + 1;

	return &doc->kids[doc->first_kid[id] + idx];
}

static bool scalar_is(const yaml_node_t *n, const char *s)
{
	return n && n->type == YAML_SCALAR_NODE &&
	       !strcmp((const char *)n->data.scalar.value, s);
}

/* The value of @key in mapping @map (and its key node), or NULL. */
static yaml_node_t *map_get(struct doc *doc, yaml_node_t *map, const char *key,
			    yaml_node_t **key_node)
{
	yaml_node_pair_t *pr;

	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (pr = map->data.mapping.pairs.start;
	     pr < map->data.mapping.pairs.top; pr++) {
		if (scalar_is(node(doc, pr->key), key)) {
			if (key_node)
				*key_node = node(doc, pr->key);
			return node(doc, pr->value);
		}
	}
	return NULL;
}

static bool is_flow(const yaml_node_t *n)
{
	if (n->type == YAML_SEQUENCE_NODE)
		return n->data.sequence.style == YAML_FLOW_SEQUENCE_STYLE;
	if (n->type == YAML_MAPPING_NODE)
		return n->data.mapping.style == YAML_FLOW_MAPPING_STYLE;
	return false;
}

static size_t n_kids(const struct doc *doc, const yaml_node_t *n)
{
	int id = (int)(n - doc->d.nodes.start) + 1;

	return doc->first_kid[id + 1] - doc->first_kid[id];
}

static size_t subtree_end(struct doc *doc, yaml_node_t *n);

/* Byte offset just past what entry @k writes. */
static size_t kid_end(struct doc *doc, const struct wkid *k)
{
	return k->alias ? k->end : subtree_end(doc, node(doc, k->target));
}

/*
 * Byte offset just past the last character that belongs to @n: a block
 * collection ends with its last entry as written, so that comments after
 * it stay where they are.
 */
static size_t subtree_end(struct doc *doc, yaml_node_t *n)
{
	size_t end, e, i;

	if (n->type == YAML_SCALAR_NODE || is_flow(n))
		return byte_at(doc, n->end_mark.index);
	end = node_start(doc, n);
	for (i = 0; i < n_kids(doc, n); i++) {
		e = kid_end(doc, kid(doc, n, i));
		end = e > end ? e : end;
	}
	return end;
}

static size_t line_start(const char *t, size_t i)
{
	while (i > 0 && t[i - 1] != '\n')
		i--;
	return i;
}

/* Offset just past the newline that ends the line holding @i. */
static size_t line_next(const char *t, size_t len, size_t i)
{
	while (i < len && t[i] != '\n')
		i++;
	return i < len ? i + 1 : len;
}

/* Replace @del bytes at @at with @ins; the result is malloc'ed. */
static char *splice(const char *in, size_t len, size_t at, size_t del,
		    const char *ins)
{
	size_t ilen = strlen(ins);
	char *out = malloc(len - del + ilen + 2);

	if (!out)
		return NULL;
	memcpy(out, in, at);
	memcpy(out + at, ins, ilen);
	memcpy(out + at + ilen, in + at + del, len - at - del);
	out[len - del + ilen] = '\0';
	return out;
}

/* @ins with the file's own line ends (CR LF files stay CR LF). */
static char *with_eol(const struct doc *doc, const char *ins)
{
	size_t n = 0, i, j;
	char *out;

	for (i = 0; ins[i]; i++)
		n += ins[i] == '\n';
	out = malloc(i + (doc->crlf ? n : 0) + 1);
	if (!out)
		return NULL;
	for (i = j = 0; ins[i]; i++) {
		if (doc->crlf && ins[i] == '\n')
			out[j++] = '\r';
		out[j++] = ins[i];
	}
	out[j] = '\0';
	return out;
}

static int splice_out(struct doc *doc, size_t at, size_t del, const char *ins,
		      char **out)
{
	char *eol = with_eol(doc, ins);

	*out = eol ? splice(doc->text, doc->len, at, del, eol) : NULL;
	free(eol);
	return *out ? 0 : -ENOMEM;
}

static size_t seq_len(const yaml_node_t *seq)
{
	return (size_t)(seq->data.sequence.items.top -
			seq->data.sequence.items.start);
}

static struct policy_loc loc_of(const yaml_node_t *n)
{
	struct policy_loc l = { (unsigned int)n->start_mark.line + 1,
				(unsigned int)n->start_mark.column + 1 };

	return l;
}

/* The first alias written for node @id, or NULL. */
static const struct wkid *first_alias(const struct doc *doc, int id)
{
	size_t i;

	for (i = 0; i < doc->n_kids; i++)
		if (doc->kids[i].alias && doc->kids[i].target == id)
			return &doc->kids[i];
	return NULL;
}

/*
 * An edit inside @n would change every place that uses it when @n is
 * anchored and aliased: refuse, naming both places.
 */
static int refuse_shared(struct doc *doc, yaml_node_t *n, const char *what)
{
	int id = node_id(doc, n);
	const struct wkid *a = first_alias(doc, id);
	struct policy_loc l = loc_of(n);

	if (doc->refs[id] < 2 || !a)
		return 0;
	return fail(
		doc, -ENOTSUP,
		"%u:%u: %s is shared through the YAML anchor '&%s' with '*%s' at %u:%u, so this edit would change both; write it out in full where it is used, then edit",
		l.line, l.col, what, doc->anchor[id], doc->anchor[id],
		a->loc.line, a->loc.col);
}

/*
 * Removing bytes [@start, @end) must not take away an anchor that an alias
 * outside them still names.
 */
static int refuse_lost_anchor(struct doc *doc, size_t start, size_t end,
			      const char *what)
{
	const struct wkid *k;
	struct policy_loc l;
	size_t i, at;

	for (i = 0; i < doc->n_kids; i++) {
		k = &doc->kids[i];
		if (!k->alias || (k->start >= start && k->start < end))
			continue;
		at = node_start(doc, node(doc, k->target));
		if (at < start || at >= end)
			continue;
		l = loc_of(node(doc, k->target));
		return fail(
			doc, -ENOTSUP,
			"%u:%u: %s holds the YAML anchor '&%s' that '*%s' at %u:%u uses; remove or write out that use first",
			l.line, l.col, what, doc->anchor[k->target],
			doc->anchor[k->target], k->loc.line, k->loc.col);
	}
	return 0;
}

static yaml_node_t *partitions_seq(struct doc *doc)
{
	yaml_node_t *root = yaml_document_get_root_node(&doc->d);
	yaml_node_t *seq = map_get(doc, root, "partitions", NULL);

	return seq && seq->type == YAML_SEQUENCE_NODE ? seq : NULL;
}

static yaml_node_t *find_partition(struct doc *doc, const char *name)
{
	yaml_node_t *seq = partitions_seq(doc);
	yaml_node_item_t *it;

	if (!seq)
		return NULL;
	for (it = seq->data.sequence.items.start;
	     it < seq->data.sequence.items.top; it++)
		if (scalar_is(map_get(doc, node(doc, *it), "name", NULL), name))
			return node(doc, *it);
	return NULL;
}

/*
 * Append @item (one line or several, each already indented by the caller
 * relative to @indent, without the "- ") to sequence @seq.
 */
static int seq_append(struct doc *doc, yaml_node_t *seq, const char *item,
		      const char *flow_item, char **out)
{
	struct policy_loc l = loc_of(seq);
	char buf[1024];
	size_t at;

	if (is_flow(seq)) {
		at = byte_at(doc, seq->end_mark.index);
		while (at > 0 && doc->text[at - 1] != ']')
			at--;
		if (!at || !flow_item)
			return fail(
				doc, -ENOTSUP,
				"%u:%u: the list is written in flow style; edit it by hand",
				l.line, l.col);
		snprintf(buf, sizeof(buf), "%s%s ", seq_len(seq) ? ", " : " ",
			 flow_item);
		return splice_out(doc, at - 1, 0, buf, out);
	}
	at = line_next(doc->text, doc->len, subtree_end(doc, seq));
	snprintf(buf, sizeof(buf), "%s%*s- %s\n",
		 at == doc->len && doc->len && doc->text[at - 1] != '\n' ?
			 "\n" :
			 "",
		 (int)seq->start_mark.column, "", item);
	return splice_out(doc, at, 0, buf, out);
}

/* Spaces before the first character of the line that starts at @ls. */
static size_t indent_of(const struct doc *doc, size_t ls)
{
	size_t i = ls;

	while (i < doc->len && doc->text[i] == ' ')
		i++;
	return i - ls;
}

static bool is_comment_line(const struct doc *doc, size_t ls)
{
	return doc->text[ls + indent_of(doc, ls)] == '#';
}

/*
 * Widen the whole lines [*@start, *@end) of a block entry to its own
 * comments: the comment lines just above it at its indentation, and those
 * just below it indented deeper (inside the entry).
 */
static void take_comments(const struct doc *doc, size_t *start, size_t *end)
{
	size_t ind = indent_of(doc, *start), ls;

	while (*start > 0) {
		ls = line_start(doc->text, *start - 1);
		if (!is_comment_line(doc, ls) || indent_of(doc, ls) != ind)
			break;
		*start = ls;
	}
	while (*end < doc->len && is_comment_line(doc, *end) &&
	       indent_of(doc, *end) > ind)
		*end = line_next(doc->text, doc->len, *end);
}

/* The last entry of a block list goes: leave "KEY: []" behind. */
static int remove_last(struct doc *doc, yaml_node_t *key, size_t start,
		       size_t end, char **out)
{
	size_t colon = byte_at(doc, key->end_mark.index);
	char *tmp;

	while (colon < start && doc->text[colon] != ':')
		colon++;
	if (colon >= start)
		return fail(
			doc, -ENOTSUP,
			"%u:%u: the list does not follow its key; edit it by hand",
			loc_of(key).line, loc_of(key).col);
	tmp = splice(doc->text, doc->len, start, end - start, "");
	if (!tmp)
		return -ENOMEM;
	*out = splice(tmp, strlen(tmp), colon + 1, 0, " []");
	free(tmp);
	return *out ? 0 : -ENOMEM;
}

/* Remove item @idx of sequence @seq, with its whole lines when in block. */
static int seq_remove(struct doc *doc, yaml_node_t *seq, size_t idx,
		      yaml_node_t *key, const char *what, char **out)
{
	const struct wkid *k = kid(doc, seq, idx);
	size_t n = seq_len(seq), start = k->start, end = kid_end(doc, k);
	int ret;

	if (is_flow(seq)) {
		if (idx + 1 < n)
			end = kid(doc, seq, idx + 1)->start;
		else if (idx > 0)
			start = kid_end(doc, kid(doc, seq, idx - 1));
	} else {
		start = line_start(doc->text, start);
		end = line_next(doc->text, doc->len, end);
		take_comments(doc, &start, &end);
	}
	ret = refuse_lost_anchor(doc, start, end, what);
	if (ret)
		return ret;
	if (!is_flow(seq) && n == 1 && key)
		return remove_last(doc, key, start, end, out);
	return splice_out(doc, start, end - start, "", out);
}

static void member_text(const struct policy_edit_member *m, char *buf,
			size_t len)
{
	if (m->sel == POLICY_SEL_GUID)
		snprintf(buf, len, "{ guid: 0x%016llx, membership: %s }",
			 m->guid, policy_membership_name(m->membership));
	else
		snprintf(buf, len, "{ %s: true, membership: %s }",
			 policy_selector_name(m->sel),
			 policy_membership_name(m->membership));
}

static bool member_matches(struct doc *doc, yaml_node_t *item,
			   const struct policy_edit_member *m)
{
	uint64_t guid;
	yaml_node_t *v;

	if (m->sel != POLICY_SEL_GUID)
		return map_get(doc, item, policy_selector_name(m->sel), NULL);
	v = map_get(doc, item, "guid", NULL);
	return v && v->type == YAML_SCALAR_NODE &&
	       !util_parse_guid((const char *)v->data.scalar.value, &guid) &&
	       guid == m->guid;
}

static ssize_t find_member(struct doc *doc, yaml_node_t *members,
			   const struct policy_edit_member *m)
{
	size_t i;

	if (!members || members->type != YAML_SEQUENCE_NODE)
		return -1;
	for (i = 0; i < seq_len(members); i++)
		if (member_matches(doc,
				   node(doc,
					members->data.sequence.items.start[i]),
				   m))
			return (ssize_t)i;
	return -1;
}

static void partition_text(const struct policy_edit_partition *p, int col,
			   char *buf, size_t len)
{
	int n = snprintf(buf, len, "name: %s\n%*s  pkey: 0x%04x", p->name, col,
			 "", p->pkey);

#define ADD(fmt, ...)                                                          \
	do {                                                                   \
		if (n > 0 && (size_t)n < len)                                  \
			n += snprintf(buf + n, len - (size_t)n, "\n%*s  " fmt, \
				      col, "", __VA_ARGS__);                   \
	} while (0)
	if (p->vlan)
		ADD("vlan: %u", p->vlan);
	if (p->ipoib >= 0)
		ADD("ipoib: %s", p->ipoib ? "true" : "false");
	if (p->mtu)
		ADD("mtu: %u", p->mtu);
	if (p->ipv4)
		ADD("ipv4: %s", p->ipv4);
	if (p->ipv6)
		ADD("ipv6: \"%s\"", p->ipv6);
#undef ADD
}

#define EDIT_BEGIN(in, why, why_len)                             \
	struct doc doc = { .why = (why), .why_len = (why_len) }; \
	int ret = doc_load(&doc, (in));                          \
	if (ret)                                                 \
	return ret

int policy_edit_add_partition(const char *in,
			      const struct policy_edit_partition *p, char **out,
			      char *why, size_t why_len)
{
	char item[1024];
	yaml_node_t *seq;

	EDIT_BEGIN(in, why, why_len);
	seq = partitions_seq(&doc);
	if (!seq)
		ret = fail(&doc, -EINVAL, "the file has no 'partitions:' list");
	else if (find_partition(&doc, p->name))
		ret = fail(&doc, -EEXIST, "partition '%s' exists already",
			   p->name);
	else if (!(ret = refuse_shared(&doc, seq, "the partitions list"))) {
		partition_text(p, (int)seq->start_mark.column, item,
			       sizeof(item));
		ret = seq_append(&doc, seq, item, NULL, out);
	}
	doc_free(&doc);
	return ret;
}

int policy_edit_del_partition(const char *in, const char *name, char **out,
			      char *why, size_t why_len)
{
	yaml_node_t *seq, *key = NULL;
	char what[128];
	size_t i;

	EDIT_BEGIN(in, why, why_len);
	ret = fail(&doc, -ENOENT, "no partition is named '%s'", name);
	seq = partitions_seq(&doc);
	snprintf(what, sizeof(what), "partition '%s'", name);
	for (i = 0; seq && i < seq_len(seq); i++) {
		yaml_node_t *it = node(&doc, seq->data.sequence.items.start[i]);

		if (scalar_is(map_get(&doc, it, "name", NULL), name)) {
			map_get(&doc, yaml_document_get_root_node(&doc.d),
				"partitions", &key);
			ret = refuse_shared(&doc, seq, "the partitions list");
			if (!ret)
				ret = seq_remove(&doc, seq, i, key, what, out);
			break;
		}
	}
	doc_free(&doc);
	return ret;
}

/* Add a "members:" list with one entry to a partition that has none. */
static int add_members_key(struct doc *doc, yaml_node_t *part,
			   const char *entry, char **out)
{
	struct policy_loc l = loc_of(part);
	char buf[512];
	size_t at;

	if (is_flow(part))
		return fail(
			doc, -ENOTSUP,
			"%u:%u: the partition is written in flow style; edit it by hand",
			l.line, l.col);
	at = line_next(doc->text, doc->len, subtree_end(doc, part));
	snprintf(buf, sizeof(buf), "%s%*smembers:\n%*s  - %s\n",
		 at == doc->len && doc->text[at - 1] != '\n' ? "\n" : "",
		 (int)part->start_mark.column, "", (int)part->start_mark.column,
		 "", entry);
	return splice_out(doc, at, 0, buf, out);
}

/* Find partition @name and its members; refuse an edit of shared text. */
static int find_members(struct doc *doc, const char *name, yaml_node_t **part,
			yaml_node_t **members, yaml_node_t **key)
{
	char what[128];
	int ret;

	*part = find_partition(doc, name);
	if (!*part)
		return fail(doc, -ENOENT, "no partition is named '%s'", name);
	*members = map_get(doc, *part, "members", key);
	snprintf(what, sizeof(what), "partition '%s'", name);
	ret = refuse_shared(doc, *part, what);
	if (ret || !*members)
		return ret;
	snprintf(what, sizeof(what), "the members list of partition '%s'",
		 name);
	return refuse_shared(doc, *members, what);
}

int policy_edit_add_member(const char *in, const char *partition,
			   const struct policy_edit_member *m, char **out,
			   char *why, size_t why_len)
{
	yaml_node_t *part, *members, *key;
	char entry[256];

	EDIT_BEGIN(in, why, why_len);
	member_text(m, entry, sizeof(entry));
	ret = find_members(&doc, partition, &part, &members, &key);
	if (ret)
		;
	else if (find_member(&doc, members, m) >= 0)
		ret = fail(
			&doc, -EEXIST,
			"partition '%s' has this member already; delete it first to change its membership",
			partition);
	else if (!members)
		ret = add_members_key(&doc, part, entry, out);
	else if (members->type != YAML_SEQUENCE_NODE)
		ret = fail(&doc, -ENOTSUP,
			   "%u:%u: 'members:' of partition '%s' is not a list",
			   loc_of(members).line, loc_of(members).col,
			   partition);
	else
		ret = seq_append(&doc, members, entry, entry, out);
	doc_free(&doc);
	return ret;
}

int policy_edit_del_member(const char *in, const char *partition,
			   const struct policy_edit_member *m, char **out,
			   char *why, size_t why_len)
{
	yaml_node_t *part, *members, *key = NULL;
	ssize_t idx;

	EDIT_BEGIN(in, why, why_len);
	ret = find_members(&doc, partition, &part, &members, &key);
	idx = ret ? -1 : find_member(&doc, members, m);
	if (!ret && idx < 0)
		ret = fail(&doc, -ENOENT, "partition '%s' has no such member",
			   partition);
	else if (!ret)
		ret = seq_remove(&doc, members, (size_t)idx, key, "the member",
				 out);
	doc_free(&doc);
	return ret;
}
