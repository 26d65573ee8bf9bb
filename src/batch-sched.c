#include <config.h>

#include "batch-sched.h"
#include "i18n.h"

void batch_sched_init(struct batch_sched *s, int jobs)
{
	s->max_jobs = jobs < 1 ? 1 : jobs;
	s->limit = s->max_jobs;
	s->pause_until = 0;
	s->ok_streak = 0;
	s->n_limited = 0;
}

bool batch_sched_may_start(const struct batch_sched *s, int running, double now)
{
	return now >= s->pause_until && running < s->limit;
}

bool batch_sched_limited(struct batch_sched *s, double now, double wait_s)
{
	if (wait_s < 0)
		wait_s = 0;
	/* Requests in flight together are all refused together: their 429s
	 * are one episode, which cuts the concurrency once, not once each. */
	bool episode = now >= s->pause_until;
	if (now + wait_s > s->pause_until)
		s->pause_until = now + wait_s;
	s->ok_streak = 0;
	if (episode) {
		s->n_limited++;
		s->limit = s->limit / 2 > 1 ? s->limit / 2 : 1;
	}
	return episode;
}

void batch_sched_succeeded(struct batch_sched *s, double now)
{
	if (now < s->pause_until)
		return;
	if (++s->ok_streak >= s->limit && s->limit < s->max_jobs) {
		s->limit++;
		s->ok_streak = 0;
	}
}

long batch_sched_wait_ms(const struct batch_sched *s, double now)
{
	if (now >= s->pause_until)
		return 0;
	return (long)((s->pause_until - now) * 1000.0) + 1;
}

size_t batch_order_next(const bool *done, size_t n, size_t next)
{
	while (next < n && done[next])
		next++;
	return next;
}

double batch_eta(const struct batch_progress *p)
{
	size_t finished = p->done + p->failed;
	if (finished == 0 || p->elapsed <= 0)
		return -1;
	size_t left = p->total > finished ? p->total - finished : 0;
	return p->elapsed / (double)finished * (double)left;
}

void batch_progress_format(struct strbuf *sb, const struct batch_progress *p)
{
	strbuf_printf(sb, _("[%zu/%zu] %zu done, %zu failed, %zu running"),
		      p->done + p->failed, p->total, p->done, p->failed, p->running);
	strbuf_printf(sb, P_(", %ld token", ", %ld tokens", p->tokens), p->tokens);
	if (p->paused)
		strbuf_puts(sb, _(", paused (rate limit)"));
	double eta = batch_eta(p);
	if (eta >= 0) {
		long s = (long)(eta + 0.5);
		if (s >= 3600)
			strbuf_printf(sb, _(", about %ld:%02ld:%02ld left"), s / 3600, s / 60 % 60,
				      s % 60);
		else
			strbuf_printf(sb, _(", about %ld:%02ld left"), s / 60, s % 60);
	}
}
