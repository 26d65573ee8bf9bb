/* The tree of a conversation as rows; see sessiontree.h. */
#include <config.h>

#include "core/sessiontree.h"
#include "core/sanitize.h"
#include "core/strbuf.h"
#include "core/xalloc.h"
#include "i18n.h"

#include <stdlib.h>
#include <string.h>

/* The children of every message (and of the start, at index n), by index. */
struct tree_kids {
	size_t **v;
	size_t *n;
};

/* Fill k for c; free with tree_kids_done(). */
static void tree_kids_init(struct tree_kids *k, const struct conv *c)
{
	k->v = xcalloc(c->n_msgs + 1, sizeof *k->v);
	k->n = xcalloc(c->n_msgs + 1, sizeof *k->n);
	for (size_t i = 0; i < c->n_msgs; i++) {
		size_t p = c->msgs[i].parent ? conv_find(c, c->msgs[i].parent) : (size_t)-1;
		if (p == (size_t)-1 || p >= i)
			p = c->n_msgs; /* the start (or a loop: never follow it) */
		k->v[p] = xrealloc(k->v[p], (k->n[p] + 1) * sizeof *k->v[p]);
		k->v[p][k->n[p]++] = i;
	}
}

/* Free what k owns. */
static void tree_kids_done(struct tree_kids *k, size_t n)
{
	for (size_t i = 0; i <= n; i++)
		free(k->v[i]);
	free(k->v);
	free(k->n);
}

/* Return the row text of message m (newly allocated): who, then the
 * first line of what it says, cut to max bytes. */
static char *tree_text(const struct conv_msg *m, size_t k_of, size_t n_sib, size_t max)
{
	struct strbuf sb = STRBUF_INIT;
	const char *s = "";
	char *own = NULL;
	if (m->role == CONV_ASSISTANT) {
		const struct conv_choice *ch = conv_answer_choice(m, m->chosen);
		s = ch ? strbuf_str(&ch->content) : "";
		strbuf_printf(&sb, _("answer %zu/%zu: "), k_of, n_sib);
	} else {
		own = conv_msg_text(m);
		s = own;
		strbuf_puts(&sb, m->role == CONV_TOOL ? _("tool: ") : _("You: "));
		size_t ni = conv_msg_n_images(m);
		if (ni)
			strbuf_printf(&sb, P_("[%zu image] ", "[%zu images] ", ni), ni);
	}
	while (*s == ' ' || *s == '\n')
		s++;
	size_t n = strcspn(s, "\n");
	bool cut = n > max;
	if (cut) {
		n = max;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	char *raw = xasprintf("%s%.*s%s", strbuf_str(&sb), (int)n, s, cut ? "\xe2\x80\xa6" : "");
	char *line = sanitize_line(raw);
	free(raw);
	free(own);
	strbuf_done(&sb);
	return line;
}

struct session_tree_row *session_tree_rows(const struct conv *c, unsigned long long leaf,
					   size_t text_max, size_t *n_rows)
{
	struct tree_kids k;
	tree_kids_init(&k, c);
	/* The current branch, as flags. */
	bool *cur = xcalloc(c->n_msgs + 1, sizeof *cur);
	size_t li = conv_find(c, leaf), np = 0;
	size_t *path = li == (size_t)-1 ? NULL : conv_path(c, li, &np);
	for (size_t i = 0; i < np; i++)
		cur[path[i]] = true;
	free(path);
	/* Depth first without recursion: a conversation can be thousands deep. */
	struct item {
		size_t msg;
		int depth;
	};
	struct item *stack = xcalloc(c->n_msgs + 1, sizeof *stack);
	size_t sp = 0;
	struct session_tree_row *rows = NULL;
	size_t n = 0;
	size_t root = c->n_msgs;
	int root_depth = k.n[root] > 1 ? 1 : 0;
	for (size_t j = k.n[root]; j-- > 0;)
		stack[sp++] = (struct item){k.v[root][j], root_depth};
	while (sp) {
		struct item it = stack[--sp];
		const struct conv_msg *m = &c->msgs[it.msg];
		size_t p = m->parent ? conv_find(c, m->parent) : (size_t)-1;
		size_t pk = p == (size_t)-1 || p >= it.msg ? root : p;
		bool shown = m->role != CONV_ASSISTANT || k.n[pk] > 1;
		if (shown) {
			size_t k_of = 1;
			for (size_t j = 0; j < k.n[pk]; j++)
				if (k.v[pk][j] == it.msg)
					k_of = j + 1;
			rows = xrealloc(rows, (n + 1) * sizeof *rows);
			rows[n].msg = it.msg;
			rows[n].depth = it.depth;
			rows[n].current = cur[it.msg];
			rows[n].fork = k.n[it.msg] > 1;
			rows[n].text = tree_text(m, k_of, k.n[pk], text_max);
			n++;
		}
		int d = it.depth + (k.n[it.msg] > 1 ? 1 : 0);
		for (size_t j = k.n[it.msg]; j-- > 0;)
			stack[sp++] = (struct item){k.v[it.msg][j], d};
	}
	free(stack);
	free(cur);
	tree_kids_done(&k, c->n_msgs);
	*n_rows = n;
	return rows;
}

void session_tree_free(struct session_tree_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(rows[i].text);
	free(rows);
}

unsigned long long session_tree_leaf(const struct conv *c, size_t i)
{
	if (i >= c->n_msgs)
		return 0;
	/* The newest child is the one with the highest index after i. */
	for (;;) {
		size_t next = (size_t)-1;
		for (size_t j = i + 1; j < c->n_msgs; j++)
			if (c->msgs[j].parent == c->msgs[i].id)
				next = j;
		if (next == (size_t)-1)
			return c->msgs[i].id;
		i = next;
	}
}
