// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The partition file parser of `fabricctl policy import`. It follows
 * OpenSM's own (opensm/osm_prtn_config.c, 3.3.x) rule by rule: '#' starts a
 * comment; a definition "Name[=PKey][,flag[=value]...] : members ;" keeps
 * its header and ':' on one line and its members may run over several;
 * keywords, flags and memberships may be abbreviated (any prefix); a PKey
 * repeated merges the definitions; a member given again overrides the
 * earlier one; a definition without a PKey gets the next free one.
 */
#include "tools/prtn_import_priv.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lib/policy.h"
#include "lib/util.h"

/* The definition being read (from its header to its ';'). */
struct stmt {
	bool open;
	bool bad; /* refused: skip to its ';' */
	size_t part; /* index in pf->parts */
	unsigned int line;
	enum policy_membership defmember;
	bool ipoib, mtu_set, sl_set;
	unsigned int mtu, sl;
};

struct cursor {
	struct pi_file *pf;
	struct stmt st;
	unsigned int line;
	const char *buf; /* the line, for columns */
	char *pending; /* comment lines not yet placed */
	size_t last_part; /* what this line's end comment belongs to */
	ssize_t last_member; /* -1: the partition's header; -2: nothing */
	uint16_t counter; /* OpenSM's PKey generator */
};

void pi_error(struct pi_file *pf, unsigned int line, unsigned int col,
	      const char *fmt, ...)
{
	va_list ap;

	pf->n_err++;
	if (!pf->err)
		return;
	if (col)
		fprintf(pf->err, "%s:%u:%u: error: ", pf->path, line, col);
	else
		fprintf(pf->err, "%s:%u: error: ", pf->path, line);
	va_start(ap, fmt);
	vfprintf(pf->err, fmt, ap);
	va_end(ap);
	fputc('\n', pf->err);
}

static unsigned int col_of(const struct cursor *c, const char *p)
{
	return (unsigned int)(p - c->buf) + 1;
}

#define ERR(c, p, ...) pi_error((c)->pf, (c)->line, col_of(c, p), __VA_ARGS__)

static char *trim(char *s)
{
	char *e;

	s += strspn(s, " \t\r\n");
	e = s + strlen(s);
	while (e > s && strchr(" \t\r\n", e[-1]))
		*--e = '\0';
	return s;
}

/* OpenSM's keyword test: @s is a prefix of @kw ("" is one of every kw). */
static bool abbrev(const char *s, const char *kw)
{
	size_t n = strlen(s);

	return n <= strlen(kw) && !strncmp(s, kw, n);
}

static void note_add(char **block, const char *text)
{
	char *n;

	if (!text)
		return;
	if (asprintf(&n, "%s%s%s", *block ? *block : "", *block ? "\n" : "",
		     text) < 0)
		return;
	free(*block);
	*block = n;
}

static void note_move(char **to, char **from)
{
	note_add(to, *from);
	free(*from);
	*from = NULL;
}

/* "name=value" split at the first '='; value NULL when there is none. */
static char *split_eq(char *tok, char **val)
{
	char *eq = strchr(tok, '=');

	*val = NULL;
	if (eq) {
		*eq = '\0';
		*val = trim(eq + 1);
	}
	return trim(tok);
}

static int number(struct cursor *c, const char *flag, char *val,
		  unsigned long max, unsigned long *out)
{
	uint64_t v;

	if (!val || util_parse_u64(val, max, &v)) {
		ERR(c, val ? val : flag,
		    "%s needs a number up to %lu, not '%s'", flag, max,
		    val ? val : "");
		return -EINVAL;
	}
	*out = (unsigned long)v;
	return 0;
}

static struct pi_part *part_of(struct cursor *c)
{
	return &c->pf->parts[c->st.part];
}

static ssize_t find_part(const struct pi_file *pf, uint16_t pkey,
			 const char *name)
{
	size_t i;

	for (i = 0; i < pf->n_parts; i++)
		if (name ? !strcmp(pf->parts[i].name, name) :
			   pf->parts[i].pkey == pkey)
			return (ssize_t)i;
	return -1;
}

static ssize_t new_part(struct pi_file *pf, const char *name, uint16_t pkey,
			unsigned int line)
{
	struct pi_part *p;
	char gen[8];

	p = realloc(pf->parts, (pf->n_parts + 1) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	pf->parts = p;
	p = &pf->parts[pf->n_parts];
	memset(p, 0, sizeof(*p));
	snprintf(gen, sizeof(gen), "%04x", pkey);
	p->name = strndup(name && *name ? name : gen, PI_NAME_MAX);
	p->pkey = pkey;
	p->line = line;
	p->mtu = PI_MTU_DEFAULT;
	p->dflt_ca = p->dflt_sw = POLICY_MEMB_LIMITED; /* OpenSM with a file */
	p->dflt_sm = POLICY_MEMB_FULL;
	if (!p->name)
		return -ENOMEM;
	return (ssize_t)pf->n_parts++;
}

/* The partition a header names, made when new; -1 with a refusal. */
static ssize_t header_part(struct cursor *c, char *name, char *id)
{
	unsigned long v = 0;
	ssize_t i;

	if (name && !*name)
		name = NULL;
	if (!id && name && isdigit((unsigned char)*name)) {
		id = name;
		name = NULL;
	}
	if (id && number(c, "the PKey", id, 0xffff, &v))
		return -1;
	v &= 0x7fff;
	if (!v && name && (i = find_part(c->pf, 0, name)) >= 0)
		return i;
	while (!v && c->counter < PI_DEFAULT_PKEY - 1)
		if (find_part(c->pf, ++c->counter, NULL) < 0)
			v = c->counter;
	if (!v) {
		ERR(c, name ? name : c->buf, "no free PKey left to generate");
		return -1;
	}
	i = find_part(c->pf, (uint16_t)v, NULL);
	return i >= 0 ? i : new_part(c->pf, name, (uint16_t)v, c->line);
}

static void refuse_group_flag(struct cursor *c, const char *flag,
			      const char *val, unsigned long v,
			      unsigned long dflt, const char *what)
{
	if (v != dflt)
		ERR(c, flag,
		    "%s=%s: the policy has no %s; the plugin's IPoIB "
		    "groups have OpenSM's default (%#lx)",
		    flag, val, what, dflt);
}

/* The flags that shape the IPoIB broadcast group (OpenSM's group flags). */
static bool group_flag(struct cursor *c, char *flag, char *val)
{
	unsigned long v;

	if (abbrev(flag, "mtu")) {
		if (!number(c, flag, val, 5, &v) && !v)
			ERR(c, val, "mtu=0 is no MTU; use 1..5 (5 = 4096)");
		c->st.mtu = (unsigned int)v;
		c->st.mtu_set = true;
	} else if (abbrev(flag, "rate")) {
		if (!number(c, flag, val, 0x3f, &v))
			refuse_group_flag(c, flag, val, v, PI_RATE_DEFAULT,
					  "rate");
	} else if (abbrev(flag, "scope")) {
		if (!number(c, flag, val, 15, &v))
			refuse_group_flag(c, flag, val, v, PI_SCOPE_DEFAULT,
					  "scope other than link-local");
	} else if (abbrev(flag, "Q_Key")) {
		if (!number(c, flag, val, UINT32_MAX, &v) && v)
			refuse_group_flag(c, flag, val, v, PI_QKEY_DEFAULT,
					  "Q_Key");
	} else if (abbrev(flag, "TClass")) {
		if (!number(c, flag, val, 0xff, &v))
			refuse_group_flag(c, flag, val, v, 0, "TClass");
	} else if (abbrev(flag, "sl")) {
		if (!number(c, flag, val, 15, &v)) {
			c->st.sl = (unsigned int)v;
			c->st.sl_set = true;
		}
	} else if (abbrev(flag, "FlowLabel")) {
		if (!number(c, flag, val, 0xfffff, &v))
			refuse_group_flag(c, flag, val, v, 0, "FlowLabel");
	} else {
		return false;
	}
	return true;
}

static int memb_of(const char *s, enum policy_membership *m)
{
	if (abbrev(s, "full"))
		*m = POLICY_MEMB_FULL;
	else if (abbrev(s, "both"))
		*m = POLICY_MEMB_BOTH;
	else if (abbrev(s, "limited"))
		*m = POLICY_MEMB_LIMITED;
	else
		return -EINVAL;
	return 0;
}

static void part_flag(struct cursor *c, char *tok)
{
	char *val, *flag = split_eq(tok, &val);

	if (!*flag || group_flag(c, flag, val))
		return;
	if (abbrev(flag, "ipoib")) {
		c->st.ipoib = true;
	} else if (abbrev(flag, "defmember")) {
		if (!val || memb_of(val, &c->st.defmember))
			ERR(c, flag, "defmember needs full, limited or both");
	} else if (!strcmp(flag, "indx0")) {
		ERR(c, flag,
		    "indx0: the policy cannot put a PKey at index 0 of the "
		    "ports' PKey tables; remove the flag to import the file");
	} else {
		ERR(c, flag,
		    "unknown flag '%s' (OpenSM ignores it with a PARSE WARN); "
		    "fix its spelling or remove it",
		    flag);
	}
}

/* "Name[=PKey][,flag...]" up to the ':'; returns what follows it. */
static char *header(struct cursor *c, char *p)
{
	char *colon = strchr(p, ':'), *comma, *name, *id;
	ssize_t i;

	memset(&c->st, 0, sizeof(c->st));
	c->st.open = true;
	c->st.line = c->line;
	c->st.mtu = PI_MTU_DEFAULT;
	c->st.defmember = POLICY_MEMB_LIMITED;
	if (!colon) {
		ERR(c, p,
		    "no ':' after the partition's name on this line "
		    "(OpenSM: 'no partition definition found')");
		c->st.bad = true;
		return NULL;
	}
	*colon = '\0';
	comma = strchr(p, ',');
	if (comma)
		*comma = '\0';
	name = split_eq(p, &id);
	while (comma) {
		p = comma + 1;
		comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		part_flag(c, p);
	}
	i = header_part(c, name, id);
	if (i < 0) {
		c->st.bad = true;
		return NULL;
	}
	c->st.part = (size_t)i;
	if (!i && !c->pf->have_default_line) {
		c->pf->have_default_line = true;
		part_of(c)->line = c->line;
	}
	if (part_of(c)->line == c->line && !part_of(c)->before)
		note_move(&part_of(c)->before, &c->pending);
	c->last_part = c->st.part;
	c->last_member = -1;
	return colon + 1;
}

/* The default partition: OpenSM's memberships by kind of port. */
static void default_member(struct cursor *c, const char *tok,
			   enum policy_selector sel, bool self,
			   enum policy_membership m)
{
	struct pi_part *p = part_of(c);

	if (m == POLICY_MEMB_BOTH) {
		ERR(c, tok,
		    "'both' in the default partition: the policy's "
		    "default partition takes full or limited");
		return;
	}
	if (self) {
		p->dflt_sm = m;
	} else if (sel == POLICY_SEL_GUID) {
		ERR(c, tok,
		    "a port GUID in the default partition: the policy "
		    "gives the default partition to all ports alike");
		return;
	} else {
		if (sel != POLICY_SEL_ALL_SWITCHES)
			p->dflt_ca = p->dflt_sm = m; /* the SM's port is a CA */
		if (sel != POLICY_SEL_ALL_CAS)
			p->dflt_sw = m;
	}
	c->last_member = -1;
	note_move(&p->before, &c->pending);
}

static void member_free(struct pi_member *m)
{
	free(m->before);
	free(m->after);
}

/* Drop member @i, its comments going to @to. */
static void member_drop(struct pi_part *p, size_t i, char **to)
{
	note_move(to, &p->m[i].before);
	note_move(to, &p->m[i].after);
	member_free(&p->m[i]);
	memmove(&p->m[i], &p->m[i + 1], (p->n - i - 1) * sizeof(*p->m));
	p->n--;
}

/*
 * A selector given after other members: OpenSM lets the later entry win
 * for every port it covers; the plugin writes selectors before GUIDs, so
 * a GUID listed before ALL_CAS/ALL_SWITCHES with another membership cannot
 * be kept (whether it is a CA is not known here).
 */
static void selector_over(struct cursor *c, const char *tok,
			  enum policy_selector sel, enum policy_membership m,
			  char **notes)
{
	struct pi_part *p = part_of(c);
	size_t i = 0;
	char g[24];

	while (i < p->n) {
		struct pi_member *o = &p->m[i];

		if (sel == POLICY_SEL_ALL || o->sel == sel) {
			member_drop(p, i, notes);
			continue;
		}
		if (o->sel == POLICY_SEL_GUID && o->memb != m)
			ERR(c, tok,
			    "port %s is listed before %s with another "
			    "membership; OpenSM then applies %s's to it if "
			    "it is of that kind, the policy always its "
			    "own: list the port after %s",
			    util_format_guid(o->guid, g, sizeof(g)), tok, tok,
			    tok);
		i++;
	}
}

static void add_member(struct cursor *c, const char *tok,
		       enum policy_selector sel, uint64_t guid,
		       enum policy_membership m)
{
	struct pi_part *p = part_of(c);
	char *notes = NULL;
	struct pi_member *n;
	size_t i;

	for (i = 0; sel == POLICY_SEL_GUID && i < p->n; i++)
		if (p->m[i].sel == POLICY_SEL_GUID && p->m[i].guid == guid)
			break;
	if (sel != POLICY_SEL_GUID || i == p->n) {
		if (sel != POLICY_SEL_GUID)
			selector_over(c, tok, sel, m, &notes);
		n = realloc(p->m, (p->n + 1) * sizeof(*n));
		if (!n) {
			free(notes);
			return;
		}
		p->m = n;
		i = p->n++;
		memset(&p->m[i], 0, sizeof(p->m[i]));
	}
	p->m[i].sel = sel;
	p->m[i].guid = guid;
	p->m[i].memb = m;
	note_move(&p->m[i].before, &notes);
	note_move(&p->m[i].before, &c->pending);
	c->last_part = c->st.part;
	c->last_member = (ssize_t)i;
}

/* One port specifier: "GUID|ALL|ALL_CAS|...|SELF[=membership]". */
static void port_spec(struct cursor *c, char *tok)
{
	char *flag, *name = split_eq(tok, &flag);
	enum policy_membership m = c->st.defmember;
	enum policy_selector sel = POLICY_SEL_GUID;
	uint64_t guid = 0;
	bool self = false;

	if (abbrev(name, "NONE"))
		return;
	if (flag && memb_of(flag, &m)) {
		ERR(c, flag,
		    "membership '%s' is none of full, limited, both "
		    "(OpenSM takes it as limited); fix it",
		    flag);
		return;
	}
	if (abbrev(name, "ALL")) {
		sel = POLICY_SEL_ALL;
	} else if (abbrev(name, "ALL_CAS")) {
		sel = POLICY_SEL_ALL_CAS;
	} else if (abbrev(name, "ALL_SWITCHES")) {
		sel = POLICY_SEL_ALL_SWITCHES;
	} else if (abbrev(name, "ALL_ROUTERS")) {
		ERR(c, name,
		    "ALL_ROUTERS: the policy has no router selector; "
		    "list the routers' port GUIDs instead");
		return;
	} else if (abbrev(name, "SELF")) {
		self = true;
		guid = c->pf->o->sm_guid;
	} else if (util_parse_u64(name, UINT64_MAX, &guid) || !guid) {
		ERR(c, name,
		    "'%s' is no port GUID (OpenSM: 'bad PortGUID', "
		    "and it then ignores the whole file)",
		    name);
		return;
	}
	if (part_of(c)->pkey == PI_DEFAULT_PKEY)
		default_member(c, name, sel, self, m);
	else if (self && !guid)
		ERR(c, name,
		    "SELF: the policy names ports by GUID; give the "
		    "SM's port GUID with --sm-guid");
	else
		add_member(c, name, sel, guid, m);
}

/* An "mgid=GID,flags" multicast group line (OpenSM: name is "mgid"). */
static bool is_mgid(const char *tok)
{
	size_t n = strcspn(tok, "=");

	while (n && isspace((unsigned char)tok[n - 1]))
		n--;
	return n == 4 && !strncmp(tok, "mgid", 4);
}

/* Members up to the end of the line or the ';' (already cut off). */
static void members(struct cursor *c, char *p)
{
	char *comma, *tok;

	if (c->st.bad)
		return;
	do {
		comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		tok = trim(p);
		if (is_mgid(tok)) {
			ERR(c, tok,
			    "mgid: the policy creates no multicast "
			    "group but each partition's IPoIB "
			    "broadcast group (ipoib: true)");
			return; /* like OpenSM: the group takes the line */
		}
		port_spec(c, tok);
		p = comma + 1;
	} while (comma);
}

/* The ';': the definition's flags go to its partition. */
static void finish_stmt(struct cursor *c)
{
	struct stmt *st = &c->st;
	struct pi_part *p = part_of(c);

	st->open = false;
	if (st->bad)
		return;
	if (st->ipoib && p->ipoib && p->mtu != st->mtu)
		pi_error(c->pf, st->line, 0,
			 "partition %s already has its IPoIB group (line %u) "
			 "with mtu=%u; OpenSM ignores this definition's "
			 "mtu=%u: make them agree",
			 p->name, p->line, p->mtu, st->mtu);
	else if (st->ipoib || (!p->ipoib && st->mtu_set))
		p->mtu = st->mtu;
	p->ipoib |= st->ipoib;
	if (p->sl_set && p->sl != st->sl)
		pi_error(
			c->pf, st->line, 0,
			"partition %s has sl=%u before (line %u); OpenSM takes "
			"the partition's SL from its last definition and "
			"the group's from its first: give each the same sl",
			p->name, p->sl, p->line);
	p->sl = st->sl;
	p->sl_set = true;
}

/* One line, its comment cut off: definitions and members. */
static void parse_line(struct cursor *c, char *p)
{
	char *semi;

	for (;;) {
		p += strspn(p, " \t\r\n");
		if (!*p)
			return;
		semi = strchr(p, ';');
		if (semi == p) {
			ERR(c, p,
			    "a ';' first on a line: OpenSM 3.3 then reads "
			    "past the line's end and rejects the whole "
			    "file; put it after the last member");
			c->st.bad = true;
			if (c->st.open)
				finish_stmt(c);
			p = semi + 1;
			continue;
		}
		if (semi)
			*semi = '\0';
		if (!c->st.open)
			p = header(c, p);
		if (p)
			members(c, p);
		if (!semi)
			return;
		finish_stmt(c);
		p = semi + 1;
	}
}

/* Where this line's end comment goes: what the line defined, else on. */
static void place_comment(struct cursor *c, const char *text)
{
	struct pi_part *p;

	if (c->last_member == -2) {
		note_add(&c->pending, text);
		return;
	}
	p = &c->pf->parts[c->last_part];
	if (c->last_member >= 0 && p->pkey != PI_DEFAULT_PKEY)
		note_add(&p->m[c->last_member].after, text);
	else
		note_add(&p->after, text);
}

static void one_line(struct cursor *c, char *buf)
{
	char *hash = strchr(buf, '#'), *text = NULL;

	c->buf = buf;
	c->last_member = -2;
	if (hash) {
		*hash = '\0';
		text = trim(hash + 1);
	}
	if (!*trim(buf)) {
		if (text)
			note_add(&c->pending, text);
		else if (c->pending && !c->st.open && c->pf->n_parts == 1)
			note_move(&c->pf->head, &c->pending);
		return;
	}
	parse_line(c, buf);
	if (text)
		place_comment(c, text);
}

static int parse_text(struct pi_file *pf, char *text)
{
	struct cursor c = { .pf = pf, .last_member = -2 };
	char *line, *next;

	if (new_part(pf, "Default", PI_DEFAULT_PKEY, 0) < 0)
		return -ENOMEM;
	for (line = text; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		c.line++;
		one_line(&c, line);
	}
	if (c.st.open)
		finish_stmt(
			&c); /* OpenSM takes a last definition without ';' */
	note_move(&pf->tail, &c.pending);
	return 0;
}

/* What the definitions left that the policy cannot hold. */
static void check_parts(struct pi_file *pf)
{
	size_t i;

	for (i = 1; i < pf->n_parts; i++) {
		const struct pi_part *p = &pf->parts[i];

		if (!p->ipoib && p->sl)
			pi_error(pf, p->line, 0,
				 "partition %s: sl=%u without ipoib: the "
				 "policy's sl is its IPoIB group's; add ipoib "
				 "or drop sl",
				 p->name, p->sl);
	}
}

/* OpenSM's guid2lid table ("GUID LID LID" lines): every port pinned. */
static int read_pins(struct pi_file *pf, const char *path)
{
	char *text, *line, *next;
	unsigned int n = 0;
	uint64_t guid, lo, hi;
	struct pi_pin *pin;
	size_t len;
	int ret;

	ret = util_read_file(path, &text, &len);
	if (ret < 0)
		return ret;
	for (line = text; line && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		n++;
		if (!*trim(line))
			continue;
		if (sscanf(line, "%" SCNx64 " %" SCNx64 " %" SCNx64, &guid, &lo,
			   &hi) != 3 ||
		    !lo || lo > POLICY_LID_MAX || hi < lo) {
			fprintf(pf->err,
				"%s:%u: error: not a guid2lid line "
				"(GUID LID LID)\n",
				path, n);
			pf->n_err++;
			continue;
		}
		pin = realloc(pf->pins, (pf->n_pins + 1) * sizeof(*pin));
		if (!pin)
			break;
		pf->pins = pin;
		pf->pins[pf->n_pins++] = (struct pi_pin){ guid, (unsigned)lo };
	}
	free(text);
	return 0;
}

static void pi_free(struct pi_file *pf)
{
	size_t i, j;

	for (i = 0; i < pf->n_parts; i++) {
		struct pi_part *p = &pf->parts[i];

		for (j = 0; j < p->n; j++)
			member_free(&p->m[j]);
		free(p->m);
		free(p->name);
		free(p->before);
		free(p->after);
	}
	free(pf->parts);
	free(pf->pins);
	free(pf->head);
	free(pf->tail);
}

/* The policy must load; a rule it breaks is reported as the loader says. */
static int render_checked(struct pi_file *pf, char **yaml)
{
	unsigned int n_errors = 0;
	struct policy *pol;
	char *text = pi_render(pf);

	if (!text)
		return -ENOMEM;
	pol = policy_load_buffer("(imported policy)", text, strlen(text),
				 pf->err, &n_errors);
	if (!pol) {
		fprintf(pf->err,
			"%s: error: the imported policy breaks the rules "
			"above (fabric.yaml(5))\n",
			pf->path);
		free(text);
		return -EINVAL;
	}
	policy_free(pol);
	*yaml = text;
	return 0;
}

int prtn_import(const char *path, const struct prtn_import_opts *o, FILE *err,
		char **yaml)
{
	struct pi_file pf = { .path = path, .err = err, .o = o };
	char *text;
	size_t len;
	int ret;

	ret = util_read_file(path, &text, &len);
	if (ret < 0)
		return ret;
	ret = parse_text(&pf, text);
	free(text);
	if (!ret && o->guid2lid)
		ret = read_pins(&pf, o->guid2lid);
	if (!ret) {
		check_parts(&pf);
		pi_check_default(&pf);
		if (pf.n_err)
			ret = -EINVAL;
	}
	if (!ret)
		ret = render_checked(&pf, yaml);
	pi_free(&pf);
	return ret;
}
