#include <config.h>

#include "core/request.h"
#include "core/xalloc.h"

#include <stdio.h>
#include <string.h>

/* A double as JSON with the shortest text that reads back the same, so
 * 0.7 goes out as 0.7 and not as 0.69999999999999996. */
static json_object *request_new_double(double d)
{
	char text[40];
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(text, sizeof text, "%.*g", prec, d);
		if (strtod(text, NULL) == d)
			break;
	}
	return json_object_new_double_s(d, text);
}

/* Return the JSON content of msg: a string when all parts are text, else
 * an array of typed parts. */
static json_object *request_content_json(const struct chat_msg *msg, const char *detail)
{
	bool all_text = true;
	for (size_t i = 0; i < msg->n_parts; i++)
		if (msg->parts[i].kind != CHAT_PART_TEXT)
			all_text = false;

	if (all_text && msg->n_parts <= 1)
		return json_object_new_string(msg->n_parts ? msg->parts[0].text : "");
	if (all_text) {
		size_t total = 0;
		for (size_t i = 0; i < msg->n_parts; i++)
			total += strlen(msg->parts[i].text) + 1;
		char *joined = xmalloc(total + 1), *w = joined;
		for (size_t i = 0; i < msg->n_parts; i++) {
			size_t l = strlen(msg->parts[i].text);
			if (i)
				*w++ = '\n';
			memcpy(w, msg->parts[i].text, l);
			w += l;
		}
		*w = '\0';
		json_object *s = json_object_new_string(joined);
		free(joined);
		return s;
	}

	json_object *arr = json_object_new_array();
	for (size_t i = 0; i < msg->n_parts; i++) {
		const struct chat_part *part = &msg->parts[i];
		json_object *o = json_object_new_object();
		if (part->kind == CHAT_PART_TEXT) {
			json_object_object_add(o, "type", json_object_new_string("text"));
			json_object_object_add(o, "text", json_object_new_string(part->text));
		} else {
			json_object *iu = json_object_new_object();
			json_object_object_add(iu, "url", json_object_new_string(part->url));
			if (detail)
				json_object_object_add(iu, "detail", json_object_new_string(detail));
			json_object_object_add(o, "type", json_object_new_string("image_url"));
			json_object_object_add(o, "image_url", iu);
		}
		json_object_array_add(arr, o);
	}
	return arr;
}

json_object *request_messages_json(const struct chat_params *p, const struct chat_msg *msgs,
				   size_t n_msgs)
{
	json_object *arr = json_object_new_array();
	if (p->system) {
		json_object *m = json_object_new_object();
		json_object_object_add(m, "role", json_object_new_string("system"));
		json_object_object_add(m, "content", json_object_new_string(p->system));
		json_object_array_add(arr, m);
	}
	for (size_t i = 0; i < n_msgs; i++) {
		const struct chat_msg *msg = &msgs[i];
		json_object *m = json_object_new_object();
		json_object_object_add(m, "role", json_object_new_string(msg->role));
		bool is_user = strcmp(msg->role, "user") == 0;
		if (msg->tool_calls && msg->n_parts == 0)
			json_object_object_add(m, "content", NULL);
		else
			json_object_object_add(m, "content",
					       request_content_json(msg, is_user ? p->detail : NULL));
		if (msg->tool_calls)
			json_object_object_add(m, "tool_calls", json_object_get(msg->tool_calls));
		if (msg->tool_call_id)
			json_object_object_add(m, "tool_call_id",
					       json_object_new_string(msg->tool_call_id));
		json_object_array_add(arr, m);
	}
	return arr;
}

/* Return the stop sequences as JSON: one string, or an array of up to 4. */
static json_object *request_stop_json(const struct chat_params *p)
{
	if (p->n_stop == 1)
		return json_object_new_string(p->stop[0]);
	json_object *arr = json_object_new_array();
	for (int i = 0; i < p->n_stop; i++)
		json_object_array_add(arr, json_object_new_string(p->stop[i]));
	return arr;
}

char *request_build(const struct chat_params *p, const struct chat_msg *msgs, size_t n_msgs,
		    size_t *len)
{
	json_object *body = json_object_new_object();

	if (p->model)
		json_object_object_add(body, "model", json_object_new_string(p->model));
	json_object_object_add(body, "messages", request_messages_json(p, msgs, n_msgs));
	if (p->has_temperature)
		json_object_object_add(body, "temperature", request_new_double(p->temperature));
	if (p->has_top_p)
		json_object_object_add(body, "top_p", request_new_double(p->top_p));
	if (p->has_n)
		json_object_object_add(body, "n", json_object_new_int(p->n));
	if (p->stream) {
		json_object_object_add(body, "stream", json_object_new_boolean(1));
		json_object *so = json_object_new_object();
		json_object_object_add(so, "include_usage", json_object_new_boolean(1));
		json_object_object_add(body, "stream_options", so);
	}
	if (p->n_stop > 0)
		json_object_object_add(body, "stop", request_stop_json(p));
	if (p->has_max_tokens)
		json_object_object_add(body, "max_tokens", json_object_new_int64(p->max_tokens));
	if (p->has_presence_penalty)
		json_object_object_add(body, "presence_penalty",
				       request_new_double(p->presence_penalty));
	if (p->has_frequency_penalty)
		json_object_object_add(body, "frequency_penalty",
				       request_new_double(p->frequency_penalty));
	if (p->n_logit_bias > 0) {
		json_object *lb = json_object_new_object();
		for (size_t i = 0; i < p->n_logit_bias; i++) {
			char key[32];
			snprintf(key, sizeof key, "%ld", p->logit_bias[i].token);
			json_object_object_add(lb, key, json_object_new_int(p->logit_bias[i].bias));
		}
		json_object_object_add(body, "logit_bias", lb);
	}
	if (p->user)
		json_object_object_add(body, "user", json_object_new_string(p->user));
	if (p->response_format)
		json_object_object_add(body, "response_format", json_object_get(p->response_format));
	if (p->has_seed)
		json_object_object_add(body, "seed", json_object_new_int64(p->seed));
	if (p->tools && json_object_array_length(p->tools) > 0) {
		json_object_object_add(body, "tools", json_object_get(p->tools));
		if (p->tool_choice)
			json_object_object_add(body, "tool_choice", json_object_get(p->tool_choice));
	}
	if (p->has_logprobs || p->top_logprobs >= 0) {
		json_object_object_add(body, "logprobs",
				       json_object_new_boolean(p->logprobs || p->top_logprobs >= 0));
		if (p->top_logprobs >= 0)
			json_object_object_add(body, "top_logprobs",
					       json_object_new_int(p->top_logprobs));
	}

	size_t n = 0;
	const char *text = json_object_to_json_string_length(
		body, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	char *out = xstrndup(text, n);
	json_object_put(body);
	if (len)
		*len = n;
	return out;
}
