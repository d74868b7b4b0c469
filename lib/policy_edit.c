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

struct doc {
	yaml_document_t d;
	const char *text;
	size_t len;
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

static int doc_load(struct doc *doc, const char *text)
{
	yaml_parser_t p;
	int ok;

	doc->text = text;
	doc->len = strlen(text);
	if (!yaml_parser_initialize(&p))
		return -ENOMEM;
	yaml_parser_set_input_string(&p, (const unsigned char *)text, doc->len);
	ok = yaml_parser_load(&p, &doc->d);
	yaml_parser_delete(&p);
	if (!ok)
		return fail(doc, -EINVAL,
			    "the file is not valid YAML; run "
			    "'fabricctl policy check' on it");
	if (!yaml_document_get_root_node(&doc->d)) {
		yaml_document_delete(&doc->d);
		return fail(doc, -EINVAL, "the file is empty");
	}
	return 0;
}

static yaml_node_t *node(struct doc *doc, int id)
{
	return yaml_document_get_node(&doc->d, id);
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

/* Byte offset just past the last character that belongs to @n. */
static size_t subtree_end(struct doc *doc, yaml_node_t *n)
{
	size_t end = n->end_mark.index, e;
	yaml_node_pair_t *pr;
	yaml_node_item_t *it;

	if (n->type == YAML_SCALAR_NODE || is_flow(n))
		return end;
	end = n->start_mark.index;
	if (n->type == YAML_SEQUENCE_NODE) {
		for (it = n->data.sequence.items.start;
		     it < n->data.sequence.items.top; it++) {
			e = subtree_end(doc, node(doc, *it));
			end = e > end ? e : end;
		}
	} else {
		for (pr = n->data.mapping.pairs.start;
		     pr < n->data.mapping.pairs.top; pr++) {
			e = subtree_end(doc, node(doc, pr->value));
			end = e > end ? e : end;
		}
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

static int splice_out(struct doc *doc, size_t at, size_t del, const char *ins,
		      char **out)
{
	*out = splice(doc->text, doc->len, at, del, ins);
	return *out ? 0 : -ENOMEM;
}

static size_t seq_len(const yaml_node_t *seq)
{
	return (size_t)(seq->data.sequence.items.top -
			seq->data.sequence.items.start);
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
	char buf[1024];
	size_t at;

	if (is_flow(seq)) {
		at = seq->end_mark.index;
		while (at > 0 && doc->text[at - 1] != ']')
			at--;
		if (!at || !flow_item)
			return fail(doc, -ENOTSUP,
				    "the list at line %zu is "
				    "written in flow style; "
				    "edit it by hand",
				    seq->start_mark.line + 1);
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

/* Remove item @idx of sequence @seq, with its whole lines when in block. */
static int seq_remove(struct doc *doc, yaml_node_t *seq, size_t idx,
		      yaml_node_t *key, char **out)
{
	yaml_node_t *item = node(doc, seq->data.sequence.items.start[idx]);
	size_t n = seq_len(seq), start, end;

	if (is_flow(seq)) {
		start = item->start_mark.index;
		end = subtree_end(doc, item);
		if (idx + 1 < n)
			end = node(doc, seq->data.sequence.items.start[idx + 1])
				      ->start_mark.index;
		else if (idx > 0)
			start = subtree_end(
				doc,
				node(doc,
				     seq->data.sequence.items.start[idx - 1]));
		return splice_out(doc, start, end - start, "", out);
	}
	start = line_start(doc->text, item->start_mark.index);
	end = line_next(doc->text, doc->len, subtree_end(doc, item));
	if (n > 1 || !key)
		return splice_out(doc, start, end - start, "", out);
	/* The last item: leave an empty flow list behind the key. */
	{
		char *tmp = splice(doc->text, doc->len, start, end - start, "");
		size_t kend = key->end_mark.index;

		if (!tmp)
			return -ENOMEM;
		*out = splice(tmp, strlen(tmp), kend + 1, 0, " []");
		free(tmp);
		return *out ? 0 : -ENOMEM;
	}
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
	else {
		partition_text(p, (int)seq->start_mark.column, item,
			       sizeof(item));
		ret = seq_append(&doc, seq, item, NULL, out);
	}
	yaml_document_delete(&doc.d);
	return ret;
}

int policy_edit_del_partition(const char *in, const char *name, char **out,
			      char *why, size_t why_len)
{
	yaml_node_t *seq, *key = NULL;
	size_t i;

	EDIT_BEGIN(in, why, why_len);
	ret = fail(&doc, -ENOENT, "no partition is named '%s'", name);
	seq = partitions_seq(&doc);
	for (i = 0; seq && i < seq_len(seq); i++) {
		yaml_node_t *it = node(&doc, seq->data.sequence.items.start[i]);

		if (scalar_is(map_get(&doc, it, "name", NULL), name)) {
			map_get(&doc, yaml_document_get_root_node(&doc.d),
				"partitions", &key);
			ret = seq_remove(&doc, seq, i, key, out);
			break;
		}
	}
	yaml_document_delete(&doc.d);
	return ret;
}

/* Add a "members:" list with one entry to a partition that has none. */
static int add_members_key(struct doc *doc, yaml_node_t *part,
			   const char *entry, char **out)
{
	char buf[512];
	size_t at;

	if (is_flow(part))
		return fail(doc, -ENOTSUP,
			    "the partition at line %zu is "
			    "written in flow style; edit it by "
			    "hand",
			    part->start_mark.line + 1);
	at = line_next(doc->text, doc->len, subtree_end(doc, part));
	snprintf(buf, sizeof(buf), "%s%*smembers:\n%*s  - %s\n",
		 at == doc->len && doc->text[at - 1] != '\n' ? "\n" : "",
		 (int)part->start_mark.column, "", (int)part->start_mark.column,
		 "", entry);
	return splice_out(doc, at, 0, buf, out);
}

int policy_edit_add_member(const char *in, const char *partition,
			   const struct policy_edit_member *m, char **out,
			   char *why, size_t why_len)
{
	yaml_node_t *part, *members;
	char entry[256];

	EDIT_BEGIN(in, why, why_len);
	member_text(m, entry, sizeof(entry));
	part = find_partition(&doc, partition);
	members = map_get(&doc, part, "members", NULL);
	if (!part)
		ret = fail(&doc, -ENOENT, "no partition is named '%s'",
			   partition);
	else if (find_member(&doc, members, m) >= 0)
		ret = fail(&doc, -EEXIST,
			   "partition '%s' has this member "
			   "already; delete it first to change "
			   "its membership",
			   partition);
	else if (!members || members->type == YAML_SCALAR_NODE)
		ret = members ? fail(&doc, -ENOTSUP,
				     "'members:' of partition "
				     "'%s' is not a list",
				     partition) :
				add_members_key(&doc, part, entry, out);
	else
		ret = seq_append(&doc, members, entry, entry, out);
	yaml_document_delete(&doc.d);
	return ret;
}

int policy_edit_del_member(const char *in, const char *partition,
			   const struct policy_edit_member *m, char **out,
			   char *why, size_t why_len)
{
	yaml_node_t *part, *members, *key = NULL;
	ssize_t idx;

	EDIT_BEGIN(in, why, why_len);
	part = find_partition(&doc, partition);
	members = map_get(&doc, part, "members", &key);
	idx = find_member(&doc, members, m);
	if (!part)
		ret = fail(&doc, -ENOENT, "no partition is named '%s'",
			   partition);
	else if (idx < 0)
		ret = fail(&doc, -ENOENT, "partition '%s' has no such member",
			   partition);
	else
		ret = seq_remove(&doc, members, (size_t)idx, key, out);
	yaml_document_delete(&doc.d);
	return ret;
}
