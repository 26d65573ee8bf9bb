/* What the parts of the interactive mode share: its state, the request in
 * flight, and the helpers that report to the user.  Private to src/tui*.c. */
#ifndef SQUINT_TUI_INTERNAL_H
#define SQUINT_TUI_INTERNAL_H

#include "core/attach.h"
#include "core/chunk.h"
#include "core/config.h"
#include "core/conv.h"
#include "core/sanitize.h"
#include "core/session.h"
#include "core/sessionfile.h"
#include "core/sse.h"
#include "core/strbuf.h"
#include "net/http.h"
#include "ui/chatview.h"
#include "ui/curses/keys.h"
#include "ui/input.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#define TUI_FRAME_S (1.0 / 60)
/* The shortest gap before a frame that echoes a key. */
#define TUI_KEY_FRAME_S 0.008
/* The gap between frames that only show streamed text. */
#define TUI_STREAM_FRAME_S (1.0 / 30)
/* While a request runs the status bar animates at this period. */
#define TUI_TICK_S 0.1
#define TUI_MAX_IMAGE_BYTES (50u * 1024 * 1024)
#define TUI_MIN_COLS 40
#define TUI_MIN_ROWS 10
#define TUI_MAX_STRIP 3
/* Rows of the attachment strip's image previews, above its text rows. */
#define TUI_STRIP_PREVIEW_ROWS 3

/* The request in flight, if any. */
struct tui_req {
	bool active;
	struct http_transfer *t;
	struct sse_parser *sse;
	struct chat_response resp;
	struct strbuf body; /* a non-streamed answer */
	bool raw_json;
	char *req_body;
	size_t msg;  /* the answer in the conversation */
	size_t item; /* the answer in the view */
	double t_start, t_first, retry_at;
	long n_tokens;
	char *retry_reason;
	char *user_text; /* what was sent, to give back when nothing came */
	struct tui_choice_san *cs; /* per choice: sanitizer states (tui-answer.c) */
	size_t n_cs;
	size_t body_len;
	curl_off_t up_sent, up_total; /* the upload's progress */
};

/* The sanitizer states of one streaming choice: content, reasoning and the
 * logprob tokens. */
struct tui_choice_san {
	struct sanitize_state text, reasoning, tokens;
};

enum tui_mode {
	TUI_MODE_INPUT,
	TUI_MODE_SEARCH_EDIT, /* typing a query */
	TUI_MODE_SEARCH_NAV,  /* n/N walk the matches */
};

struct tui {
	struct squint_config *cfg;
	struct tui_images *images; /* thumbnails and /view (tui-images*.c) */
	FILE *log;
	/* The conversation, every branch of it (sess.conv); the session file
	 * it is saved to, if any (tui-session.c). */
	struct session sess;
	struct conv *conv;
	struct sessionfile *sf;   /* NULL: not saving */
	char *autosave_dir;       /* no file yet: the first question makes one here */
	bool autosaved;           /* sf is a default session file */
	bool autosave_failed;     /* ... could not be made: said on the status bar */
	struct tui_branches *branches; /* /branches is open (tui-session.c) */
	bool save_failed;         /* the last write failed: retried */
	bool save_whole;          /* the file is gone: write all of it again */
	char *save_err;           /* why, for the status bar */
	double last_ckpt, last_retry;
	bool quit_warned;         /* quitting unsaved was warned against */
	bool editing;             /* /edit: the next question replaces ... */
	unsigned long long edit_parent; /* ... the one that followed this id */
	struct chatview *view;
	struct input input;
	struct input query;
	struct keys *keys;
	struct http_client *http;
	char *url;
	struct attachment *atts;
	size_t n_atts;
	struct tui_req req;
	enum tui_mode mode;
	bool quit, dirty, ctrl_c_armed, demo;
	double last_draw;
	long frames, exit_after;
	char *status_msg;
	bool status_error;
	char **models; /* ids from GET /models, for Tab after /model */
	size_t n_models;
	struct strbuf models_body;
	char *models_url;
	/* The last answer: switching choices, /copy and token alternatives
	 * work on it (tui-answer.c). */
	bool has_last;
	size_t last_msg, last_item;
	size_t lp_sel; /* the selected token of its shown choice; (size_t)-1: the last */
};

/* Write one line to the debug log (with -v); never the API key. */
void tui_log(struct tui *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Set the status bar's message from a format (fmt NULL clears it). */
void tui_status(struct tui *t, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Add a note (or error) item to the pane; text is sanitized here. */
void tui_note(struct tui *t, enum cv_kind kind, const char *text);
/* Report an error: one line in the pane and in the status bar. */
void tui_error(struct tui *t, const char *msg);
/* Return a newly allocated label "WHO · HH:MM"; the caller frees it. */
char *tui_label(const char *who, time_t when);
/* Return a newly allocated human size ("3.2 kB"); the caller frees it. */
char *tui_bytes(size_t n);
/* Return a newly allocated, sanitized one-line description of an image. */
char *tui_image_desc(const char *name, const char *mime, unsigned w, unsigned h, size_t bytes);

/* Ask for an answer to message upto of the conversation (tui-request.c);
 * user_text (may be NULL) goes back to the input if nothing comes back. */
void tui_request(struct tui *t, size_t upto, const char *user_text);
/* Fetch the model list in the background (for Tab after /model). */
void tui_fetch_models(struct tui *t);
/* Cancel the request in flight, keeping what arrived. */
void tui_cancel(struct tui *t);
/* Send text and the attachments as a new user turn. */
void tui_send(struct tui *t, const char *text);

/* Show a piece of choice c's text or reasoning in the answer streaming
 * (tui-answer.c). */
void tui_answer_text(struct tui *t, size_t c, bool reasoning, const char *s, size_t len);
/* Show tool call k of choice c of the answer streaming as it stands. */
void tui_answer_tool(struct tui *t, size_t c, size_t k);
/* Take the token log probabilities that arrived into the conversation and
 * the tinted view. */
void tui_answer_logprobs(struct tui *t);
/* Flush the sanitizers of the answer that ended and free them. */
void tui_answer_finish(struct tui *t);
/* Keys for the last answer: Alt-Left/Right and Tab (empty input) switch
 * choices, F2 tints tokens, Alt-Up/Down select one; returns whether ev was
 * one of them. */
bool tui_answer_key(struct tui *t, const struct ui_event *ev);
/* Return the status text for an upload under way (newly allocated), or
 * NULL. */
char *tui_upload_status(struct tui *t);
/* Return the status text for the selected token's alternatives (newly
 * allocated), or NULL when tints are off or there are none. */
char *tui_logprob_status(struct tui *t);

/* Return choice text arguments pretty-printed (tool calls), sanitized,
 * newly allocated. */
char *tui_answer_pretty(const struct strbuf *args);

/* /copy [N]: the last answer, or its code block N, to the clipboard. */
void tui_cmd_copy(struct tui *t, const char *arg);
/* /edit: the last question back into the input. */
void tui_cmd_edit(struct tui *t);
/* /tool ID TEXT: answer a tool call of the last answer. */
void tui_cmd_tool(struct tui *t, const char *arg);

/* Attach one image file or URL (tui-commands.c); returns 0, or -1 after
 * showing why not. */
int tui_attach_one(struct tui *t, const char *arg);
/* Run text when it is a /command; returns whether it was one. */
bool tui_command(struct tui *t, const char *text);
/* Tab: complete a /command, or a file path after /attach. */
void tui_complete(struct tui *t);
/* Enter in the input: run the command or send the text. */
void tui_submit(struct tui *t);
/* Attach the image a paste names; returns whether it did. */
bool tui_paste_attach(struct tui *t, const struct ui_event *ev);

/* Session files (tui-session.c).  Open the file of -s path and load it
 * into t->sess before the screen starts; 0, or -1 after printing why. */
int tui_session_open(struct tui *t, const char *path);
/* Show the loaded conversation, the file's note and warnings. */
void tui_session_resumed(struct tui *t);
/* Show the current branch (up to t->conv->head) afresh in the pane. */
void tui_session_show(struct tui *t);
/* Return the index of the last user message on the current branch, or
 * (size_t)-1. */
size_t tui_session_last_user(struct tui *t);
/* Before a question or a new answer: records for a changed system prompt
 * or parameters (after the head). */
void tui_session_settings(struct tui *t);
/* Before the first question is saved: create the default session file
 * for it (named for text) when saving by default and none is open. */
void tui_session_autosave(struct tui *t, const char *text);
/* Append the records in rec to the session file (emptying rec); nothing
 * happens without a file or when another squint holds it; a failure is
 * shown (on the status bar when loud) and the save retried. */
void tui_session_write(struct tui *t, struct strbuf *rec, bool loud);
/* Save message i (a question, a tool result or a finished answer). */
void tui_session_save_msg(struct tui *t, size_t i);
/* Save that the conversation goes on with choice k of answer i. */
void tui_session_choose(struct tui *t, size_t i, size_t k);
/* Every wake-up: checkpoint the answer streaming once a second, retry a
 * failed save every few seconds. */
void tui_session_tick(struct tui *t);
/* Return the status bar's session state ("saved", "read-only", ...) with
 * a trailing separator, newly allocated, or NULL without a file. */
char *tui_session_status(struct tui *t);
/* /save FILE. */
void tui_cmd_save(struct tui *t, const char *arg);
/* /new: start a new conversation (the file keeps the old one). */
void tui_session_new(struct tui *t);
/* Save what is pending and close the file. */
void tui_session_close(struct tui *t);
/* The user asks to quit: returns true, or false once (with a warning on
 * the status bar) when part of the session could not be saved. */
bool tui_session_may_quit(struct tui *t);

/* Thumbnails (tui-images*.c).  Set up and free the registry. */
void tui_images_init(struct tui *t);
void tui_images_done(struct tui *t);
/* Decode a small copy of the just attached a (a local file) and give a its
 * preview_id; failures only go to the log. */
void tui_images_attach(struct tui *t, struct attachment *a);
/* Attach the local file arg in the background: it shows in the strip at
 * once as "preparing…" and is filled in by tui_images_poll(); returns
 * false when there is no worker (then attach it on the spot). */
bool tui_images_prepare(struct tui *t, const char *arg);
/* Stop the preparing of attachments no longer attached (after /detach). */
void tui_images_detached(struct tui *t);
/* Return the worker's wake-up descriptor, or -1 without a worker. */
int tui_images_fd(struct tui *t);
/* Take the worker's finished attachments (every wake-up). */
void tui_images_poll(struct tui *t);
/* When attachments are still being prepared, keep text to be sent once
 * they are ready and return true; else return false (send it now). */
bool tui_images_hold_send(struct tui *t, const char *text);
/* Return whether a message waits for its attachments. */
bool tui_images_sending(struct tui *t);
/* Note attachment a as part of the message being sent; returns its number
 * in the conversation ("[image N: ...]"). */
size_t tui_images_queue(struct tui *t, const struct attachment *a);
/* Return the strip's newly allocated, sanitized line for attachment a:
 * name, type, size, bytes, and "→ W×H fmt size" when fitted for upload. */
char *tui_attachment_desc(const struct attachment *a);
/* Note image part p of a message being shown again (a resumed session,
 * another branch) like tui_images_queue(); its thumbnail is made from
 * the data URI, or kept from before.  Returns its number. */
size_t tui_images_restore(struct tui *t, const struct conv_part *p);
/* Before the conversation is freed: let go of what is borrowed from it. */
void tui_images_unborrow(struct tui *t);
/* Forget which images the pane shows (it is cleared to be filled again);
 * the decoded copies are kept for tui_images_restore(). */
void tui_images_reset(struct tui *t);
/* Show the queued images under item, the user message just added. */
void tui_images_sent(struct tui *t, size_t item);
/* After a frame is drawn: have the images on and near the screen that are
 * not decoded yet decoded (a resumed session's are decoded lazily). */
void tui_images_drawn(struct tui *t);
/* Fit the thumbnails to a pane width cells wide (before laying it out). */
void tui_images_layout(struct tui *t, int width);
/* Return the rows the strip's previews take on a screen rows high. */
int tui_images_strip_rows(struct tui *t, int rows);
struct screen_frame;
/* Fill f->images (the pane's thumbnails, or /view in place of the pane,
 * and band rows of strip previews from strip_row). */
void tui_images_frame(struct tui *t, struct screen_frame *f, int width, int strip_row, int band);
/* /branches: open the list of the conversation's branches in place of the
 * pane; while open it takes every key (returns true) and draws itself
 * over the pane (tui_branches_frame).  tui_branches_close frees it. */
void tui_cmd_branches(struct tui *t);
bool tui_branches_key(struct tui *t, const struct ui_event *ev);
void tui_branches_frame(struct tui *t, struct screen_frame *f, int width);
void tui_branches_close(struct tui *t);
/* /forget N: image N of the conversation is no longer sent. */
void tui_cmd_forget(struct tui *t, const char *arg);
/* /view N. */
void tui_images_view(struct tui *t, const char *arg);
/* A key while /view shows an image closes it; returns whether it was used. */
bool tui_images_key(struct tui *t, const struct ui_event *ev);

#endif
