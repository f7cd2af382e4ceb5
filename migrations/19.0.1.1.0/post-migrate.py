"""After the models and data of 19.0.1.1.0 are loaded: the per-invoice history becomes the
customer's cadence, and nothing is sent.

- A line counts as formally noticed only if it was past the formal-notice day when the notice
  went: the reminder lines of a formal notice that were not get the level their age had
  reached (the highest level counted after the due date up to their days late; none when too
  recent), and so do the receivable lines that reached the formal notice with that reminder.
- The shipped policy (and the copies made for the other companies) still at 5 days between two
  reminders goes to 7 (at most one reminder a week).
- Every follow-up dossier is refreshed: the start of the customer's overdue period (the day
  after its oldest overdue line fell due) and its stage (the highest level its reminders reached
  since) come from the reminders already sent, so a customer formally noticed is not noticed
  again, and the next action of every customer is the one of the new rules. The refresh sends
  nothing (only the daily run and the console send)."""

import logging

_logger = logging.getLogger(__name__)


def migrate(cr, version):
    if not version:
        return  # a fresh install: nothing to migrate
    # imported here: the engine's tests load the scripts without Odoo
    from odoo import SUPERUSER_ID, api

    cr.execute("""
        WITH fixed AS (
            SELECT line.id, line.move_line_id, line.date, line.level_id AS formal_id, (
                       SELECT below.id FROM late_payment_level below
                        WHERE below.policy_id = level.policy_id AND below.kind != 'discount'
                          AND below.days > 0 AND below.days <= line.days_late
                          AND (below.sequence, below.days, below.id) < (level.sequence, level.days, level.id)
                        ORDER BY below.sequence DESC, below.days DESC, below.id DESC LIMIT 1
                   ) AS level_id
              FROM late_payment_reminder_line line
              JOIN late_payment_level level ON level.id = line.level_id
             WHERE level.is_formal_notice AND line.days_late < level.days
        ), lines AS (
            UPDATE late_payment_reminder_line line SET level_id = fixed.level_id
              FROM fixed WHERE line.id = fixed.id
         RETURNING fixed.move_line_id, fixed.date, fixed.formal_id, fixed.level_id
        )
        UPDATE account_move_line aml SET late_payment_level_id = lines.level_id
          FROM lines
         WHERE aml.id = lines.move_line_id AND aml.late_payment_level_id = lines.formal_id
           AND aml.late_payment_level_date = lines.date
    """)
    _logger.info("account_late_payment %s -> 19.0.1.1.0: %s lines no longer counted as formally noticed",
                 version, cr.rowcount)
    env = api.Environment(cr, SUPERUSER_ID, {})
    template = env.ref("account_late_payment.late_payment_policy_default", raise_if_not_found=False)
    if template:
        policies = env["late.payment.policy"].with_context(active_test=False).search([
            ("is_default", "=", True), ("min_gap_days", "=", 5)])
        policies = policies.filtered(lambda policy: policy == template or policy.name == template.name)
        policies.write({"min_gap_days": 7})
        _logger.info("account_late_payment %s -> 19.0.1.1.0: %s shipped policies now 7 days between two reminders",
                     version, len(policies))
    env["account.move"].invalidate_model()
    env["account.move.line"].invalidate_model()
    dossiers = env["late.payment.dossier"]._refresh()
    _logger.info("account_late_payment %s -> 19.0.1.1.0: %s follow-up dossiers refreshed with the customer's "
                 "cadence (nothing sent)", version, len(dossiers))
