"""The scheduled actions' batches: bounded by time, one record never blocking the others.

Every scheduled action of the addon (the daily follow-up run, the settlement check, the risk
scores, the company status lookup) hands its work to `late.payment.batch._batches`:

- the work is a list of (key, ids) groups (a key is a company, a model...); it is processed by
  batches, each one transaction committed with its progress by `ir.cron._commit_progress`;
- a batch's size follows the time the previous batches took: it aims at `TARGET_SECONDS`, and
  at most at the time the cron has left in its turn (what `_commit_progress` returns), so no
  transaction comes near `MAX_SECONDS` whatever the data (Odoo kills a scheduled action after
  `limit_time_real_cron`, 120 s by default, and deactivates it after repeated failures);
  when the turn is over the action returns, and Odoo runs it again soon for the rest;
- a batch runs in a savepoint: when it raises, it is redone one record at a time, each in its
  own savepoint; a record that raises again is logged with its reason, left for the next run
  (the caller's `skip` marks it done for today), and reported to the administrators once a day
  (a to-do on the company's contact, its note listing the day's failures); the others go on;
- a conflict the database asks to retry (serialization, deadlock, lock not available) rolls the
  batch back and leaves it for the next pass.

Outside a scheduled action `_commit_progress` still commits: these methods are called only by
the scheduled actions (and the tests, which patch it).
"""

import logging
import resource
import time

import psycopg2.errors
from markupsafe import Markup, escape

from odoo import api, fields, models

from ..engine.batching import next_size
from .access import ADMIN_GROUP
from .lang import in_company_lang

_logger = logging.getLogger(__name__)

TARGET_SECONDS = 10.0  # what a batch aims at
MAX_SECONDS = 60.0  # no transaction of a scheduled action may last longer
MIN_PLANNED_SECONDS = 2.0  # a batch is never planned shorter
TURN_SECONDS = 20.0  # what one call of a scheduled action works at most (its last batch aside)
CPU_MARGIN_SECONDS = 20.0  # a batch starts only with this much CPU time left before the worker's limit
RETRY_LATER = (psycopg2.errors.SerializationFailure, psycopg2.errors.DeadlockDetected,
               psycopg2.errors.LockNotAvailable)
# {(database, action): seconds per record of its last batch}: the first batch of the next turn
# of a scheduled action (in the same worker process) is sized by it
_PACE = {}


class LatePaymentBatch(models.AbstractModel):
    _name = "late.payment.batch"
    _description = "Late payments: batches of the scheduled actions"

    @api.model
    def _turn_deadline(self):
        """The monotonic time at which a call of a scheduled action stops taking new batches."""
        return time.monotonic() + TURN_SECONDS

    @api.model
    def _batches(self, job, todo, process, skip=None, describe=None, first_size=10, max_size=500,
                              deadline=None):
        """Process `todo` ([(key, ids)]) by batches bounded by time, each committed.

        `process(key, ids)` does the work of a batch and returns the ids it processed (None: all);
        the others stay to do (another transaction holds them). `skip(key, ids, error)` marks
        records that failed as done for today (so that today's next turns do not take them
        again), `describe(key, id)` names a record in the report. `job` names the action in the
        log and the report. Returns the number of records processed, failed ones included."""
        cron = self.env["ir.cron"]
        remaining = sum(len(ids) for _key, ids in todo)
        left = cron._commit_progress(remaining=remaining)
        if not left:
            # a later call of the same turn: the turn ends here, Odoo runs the action again soon
            return 0
        # Odoo gives a call 10 s; this one goes on up to TURN_SECONDS (`deadline`: shared by the
        # phases of one call), as the cron worker may sleep between turns: Odoo's watchdog counts
        # that sleep (up to about 70 s) in the 120 s of limit_time_real_cron
        turn_end = deadline or self._turn_deadline()
        pace_key = (self.env.cr.dbname, job)
        size = min(first_size, max_size)
        if _PACE.get(pace_key):  # the pace of this action's last batch, in this process
            budget = max(min(left, TARGET_SECONDS), MIN_PLANNED_SECONDS)
            size = max(1, min(int(budget / _PACE[pace_key]), max_size))
        count = left_for_later = 0
        queue = [(key, list(ids)) for key, ids in todo if ids]
        while queue:
            key, ids = queue[0]
            batch, rest = ids[:size], ids[size:]
            if rest:
                queue[0] = (key, rest)
            else:
                queue.pop(0)
            started = time.monotonic()
            done, failed = self._batch(key, batch, process, skip)
            seconds = time.monotonic() - started
            # (make bench reads these lines: the longest transaction of a scheduled action)
            (_logger.warning if seconds > MAX_SECONDS else _logger.info)(
                "Late payments: %s: a batch of %s records in %.1f s", job, len(batch), seconds)
            if failed:
                self._report_failures(job, key, failed, describe)
            remaining -= len(batch)
            # those another transaction holds are left for the next pass (Odoo runs the action again)
            left_for_later += len(batch) - len(done) - len(failed)
            count += len(done) + len(failed)
            _PACE[pace_key] = seconds / max(len(batch), 1)
            left = max(cron._commit_progress(len(done) + len(failed), remaining=remaining + left_for_later),
                       turn_end - time.monotonic(), 0)
            left = max(min(left, self._cpu_seconds_left() - CPU_MARGIN_SECONDS), 0)
            if not left:
                break
            size = next_size(len(batch), seconds, max(min(left, TARGET_SECONDS), MIN_PLANNED_SECONDS), max_size)
        if queue or left_for_later:
            self._call_again()
        return count

    @api.model
    def _cpu_seconds_left(self):
        """CPU seconds this process may still use before Odoo kills it (`limit_time_cpu`).

        Odoo's workers set the CPU limit per unit of work (RLIMIT_CPU, checked by the kernel over
        all the process's threads); a scheduled action's turn stops taking batches before it."""
        soft, _hard = resource.getrlimit(resource.RLIMIT_CPU)
        if soft == resource.RLIM_INFINITY:
            return float("inf")
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return soft - (usage.ru_utime + usage.ru_stime)

    @api.model
    def _call_again(self):
        """The turn ends with work left: ask Odoo to run this scheduled action again now.

        Odoo reschedules a partly done action at once but its cron workers sleep up to a minute
        before they look again, unless woken: a trigger due now wakes them (NOTIFY at commit)."""
        cron_id = self.env.context.get("cron_id")
        if cron_id:
            self.env["ir.cron"].sudo().browse(cron_id)._trigger()

    @api.model
    def _batch(self, key, ids, process, skip):
        """(ids done, [(id, reason)] failed) of one batch: in a savepoint, else one by one."""
        try:
            with self.env.cr.savepoint():
                done = process(key, ids)
            return (ids if done is None else list(done)), []
        except RETRY_LATER as error:
            _logger.info("Late payments: a batch of %s records is left for later (%s)", len(ids), error.pgcode)
            self.env.cr.rollback()
            self.env.invalidate_all()
            return [], []
        except Exception as error:
            self.env.invalidate_all()
            if len(ids) == 1:
                return [], [self._skip(key, ids[0], skip, error)]
            _logger.info("Late payments: a batch of %s records failed: each is done again alone", len(ids))
        done, failed = [], []
        for record_id in ids:
            try:
                with self.env.cr.savepoint():
                    result = process(key, [record_id])
                done += [record_id] if result is None else list(result)
            except RETRY_LATER:
                raise
            except Exception as error:
                self.env.invalidate_all()
                failed.append(self._skip(key, record_id, skip, error))
        return done, failed

    @api.model
    def _skip(self, key, record_id, skip, error):
        """Log why `record_id` failed and leave it for the next run: (id, reason)."""
        reason = str(error) or type(error).__name__
        _logger.error("Late payments: record %s (%s) skipped until the next run: %s", record_id, key, reason,
                      exc_info=error)
        if skip:
            with self.env.cr.savepoint():
                skip(key, [record_id], error)
        return record_id, reason

    @api.model
    def _report_failures(self, job, key, failures, describe=None):
        """Tell the administrators, once a day: one to-do per administrator and day on the
        contact of the company (`key` when it is one), its note listing what was skipped and why."""
        today = fields.Date.context_today(self)
        company = (key if isinstance(key, models.BaseModel) and key._name == "res.company" else self.env.company).sudo()
        anchor = company.partner_id
        admins = self.env.ref(ADMIN_GROUP).sudo().all_user_ids.filtered(
            lambda user: user.active and not user.share and company in user.company_ids)
        if not admins or not anchor:
            return
        # in the language of the company's people (the scheduled actions run as OdooBot)
        env = in_company_lang(self, company).env
        summary = env._("Late payments: records skipped by the scheduled actions")
        lines = Markup("").join(
            Markup("<li>%s: %s (%s)</li>") % (job, describe(key, record_id) if describe else record_id, reason)
            for record_id, reason in failures)
        activity_type = self.env.ref("mail.mail_activity_data_warning", raise_if_not_found=False) or \
            self.env.ref("mail.mail_activity_data_todo")
        todays = anchor.sudo().activity_ids.filtered(
            lambda act: act.summary == summary and act.date_deadline == today)
        for activity in todays:
            activity.note = (activity.note or Markup("")) + Markup("<ul>%s</ul>") % lines
        intro = escape(env._(
            "Some records could not be processed today; each is tried again on the next run. Check them:"))
        for user in admins - todays.user_id:
            anchor.sudo().activity_schedule(
                activity_type_id=activity_type.id, summary=summary, user_id=user.id, date_deadline=today,
                note=Markup("<p>%s</p><ul>%s</ul>") % (intro, lines))
